//! Delivers the outbox. Woken by a signal as soon as a change commits a message; otherwise sleeps
//! until the next retry is due. Retries use wall time (delivery timing is not a business rule).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use super::transport::{MailTransport, OutgoingMail};
use crate::metrics::Metrics;
use crate::store::{Store, from_ts, ts};

/// Wakes the delivery worker; call after committing a transaction that queued mail.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn wait(&self) {
        self.0.notified().await;
    }
}

pub struct DeliveryWorker {
    pub store: Store,
    pub transport: MailTransport,
    pub from: String,
    pub signal: OutboxSignal,
    pub metrics: Arc<Metrics>,
}

const BATCH: i64 = 32;
const IDLE_CHECK: Duration = Duration::from_secs(60);

/// 2, 4, 8 … seconds, at most 10 minutes; permanent failures wait an hour.
fn backoff(attempts: i64, permanent: bool) -> Duration {
    if permanent {
        return Duration::from_secs(3600);
    }
    let exp = attempts.clamp(0, 10) as u32;
    Duration::from_secs((2u64 << exp).min(600))
}

impl DeliveryWorker {
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            let delivered_full_batch = match self.deliver_due().await {
                Ok(n) => n == BATCH as usize,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not read due messages");
                    false
                }
            };
            if delivered_full_batch {
                continue;
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = self.signal.wait() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.store.next_mail_attempt().await {
            Ok(Some(at)) => {
                let now = ts(OffsetDateTime::now_utc());
                Duration::from_secs((at - now).clamp(0, IDLE_CHECK.as_secs() as i64) as u64)
            }
            _ => IDLE_CHECK,
        }
    }

    /// Sends every due message once; returns how many were tried.
    async fn deliver_due(&self) -> Result<usize, crate::store::StoreError> {
        let due = self
            .store
            .due_mail(ts(OffsetDateTime::now_utc()), BATCH)
            .await?;
        for row in &due {
            let mail = OutgoingMail {
                outbox_id: row.id,
                to: row.recipient.clone(),
                subject: row.subject.clone(),
                body: row.body.clone(),
                created_at: from_ts(row.created_at),
            };
            match self.transport.send(&self.from, &mail).await {
                Ok(()) => {
                    self.store
                        .mark_mail_sent(row.id, ts(OffsetDateTime::now_utc()))
                        .await?;
                    self.metrics.mail_sent.inc();
                    tracing::info!(outbox_id = row.id, "e-mail delivered");
                }
                Err(e) => {
                    let next = OffsetDateTime::now_utc() + backoff(row.attempts, e.is_permanent());
                    self.store
                        .mark_mail_failed(row.id, ts(next), &e.to_string())
                        .await?;
                    self.metrics.mail_failed_attempts.inc();
                    tracing::warn!(outbox_id = row.id, attempts = row.attempts + 1, error = %e, "e-mail delivery failed; will retry");
                }
            }
        }
        Ok(due.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0, false), Duration::from_secs(2));
        assert_eq!(backoff(1, false), Duration::from_secs(4));
        assert_eq!(backoff(20, false), Duration::from_secs(600));
        assert_eq!(backoff(0, true), Duration::from_secs(3600));
    }
}
