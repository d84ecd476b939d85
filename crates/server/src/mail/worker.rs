//! Delivers the outbox. Woken by a signal as soon as a change commits a message; otherwise sleeps
//! until the next retry is due. Retries use wall time (delivery timing is not a business rule).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use super::transport::{MailTransport, OutgoingMail, TransportError};
use crate::metrics::Metrics;
use crate::store::{Store, from_ts, ts};

/// Wakes the delivery worker; call after committing a transaction that queued mail. Also says
/// whether the worker is running (for `/readyz`).
#[derive(Clone, Default)]
pub struct OutboxSignal {
    notify: Arc<Notify>,
    running: Arc<AtomicBool>,
}

impl OutboxSignal {
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    async fn wait(&self) {
        self.notify.notified().await;
    }

    /// True while a delivery worker runs (it ended, stopped or panicked: false).
    pub fn worker_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }
}

/// Marks the worker running for as long as it lives, unwinding included.
struct Running(Arc<AtomicBool>);

impl Running {
    fn new(flag: &Arc<AtomicBool>) -> Self {
        flag.store(true, Ordering::Release);
        Self(flag.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

pub struct DeliveryWorker {
    pub store: Store,
    pub transport: Arc<MailTransport>,
    pub from: String,
    pub signal: OutboxSignal,
    pub metrics: Arc<Metrics>,
    /// Messages handed to the relay at once (one connection each, from lettre's pool).
    pub parallel: usize,
}

const IDLE_CHECK: Duration = Duration::from_secs(60);
/// The longest one message may take with the relay, greeting included: a relay that accepts
/// the connection and then says nothing does not hold the outbox.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// 2, 4, 8 … seconds, at most 30 (so mail resumes soon after the relay comes back); permanent
/// failures wait an hour.
fn backoff(attempts: i64, permanent: bool) -> Duration {
    if permanent {
        return Duration::from_secs(3600);
    }
    let exp = attempts.clamp(0, 10) as u32;
    Duration::from_secs((2u64 << exp).min(30))
}

impl DeliveryWorker {
    /// Delivers until `shutdown`; a delivery in progress is dropped then (the message stays in
    /// the outbox and goes at the next start, with the same Message-ID).
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let _running = Running::new(&self.signal.running);
        self.listen_to_other_replicas(shutdown.clone()).await;
        // Names this worker's claims, so that it gives back exactly those when it stops
        // mid-delivery (the next start, or another replica, sends them without waiting for the
        // claims' lease).
        let worker = hex::encode(rand::random::<[u8; 8]>());
        loop {
            if *shutdown.borrow() {
                return;
            }
            // The claim itself is never cut short: a claim statement dropped on its way would
            // still land, after the release below, and hold its messages for a whole lease
            // (CLAIM_LEASE_SECS) after the next start.
            let claimed = self
                .store
                .claim_due_mail(&worker, ts(OffsetDateTime::now_utc()), self.batch() as i64)
                .await;
            let delivered = match claimed {
                Err(e) => Err(e),
                Ok(due) => tokio::select! {
                    delivered = self.deliver(due) => delivered,
                    _ = shutdown.changed() => {
                        if let Err(e) = self.store.release_mail(&worker, ts(OffsetDateTime::now_utc())).await {
                            tracing::warn!(error = %e, "outbox: could not give back messages being sent");
                        }
                        return;
                    }
                },
            };
            let delivered_full_batch = match delivered {
                Ok(n) => n == self.batch(),
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

    /// On PostgreSQL, mail queued by another replica wakes this worker at once (`LISTEN`); the
    /// listener reconnects by itself after a database restart.
    async fn listen_to_other_replicas(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut listener = match self.store.mail_notifications().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot listen for mail queued elsewhere; polling");
                return;
            }
        };
        let signal = self.signal.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    received = listener.next() => match received {
                        Ok(_) => signal.wake(),
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox: notifications lost");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            // Whatever was announced meanwhile is found by looking.
                            signal.wake();
                        }
                    },
                    _ = shutdown.changed() => return,
                }
            }
        });
    }

    /// Messages claimed at once: as many as are sent at once, so that every claimed message is
    /// being sent (within [`SEND_TIMEOUT`]) while its claim lasts.
    fn batch(&self) -> usize {
        self.parallel.max(1)
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

    /// Sends the claimed messages once each, `parallel` at a time; returns how many were tried.
    async fn deliver(
        &self,
        due: Vec<crate::store::OutboxRow>,
    ) -> Result<usize, crate::store::StoreError> {
        let count = due.len();
        let mut rows = due.into_iter();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < self.parallel.max(1) {
                let Some(row) = rows.next() else { break };
                let mail = OutgoingMail {
                    outbox_id: row.id,
                    to: row.recipient.clone(),
                    subject: row.subject.clone(),
                    body: row.body.clone(),
                    created_at: from_ts(row.created_at),
                };
                let (transport, from) = (self.transport.clone(), self.from.clone());
                running.spawn(async move {
                    let sent = tokio::time::timeout(SEND_TIMEOUT, transport.send(&from, &mail))
                        .await
                        .unwrap_or_else(|_| {
                            Err(TransportError::Smtp(format!(
                                "no answer from the relay within {} s",
                                SEND_TIMEOUT.as_secs()
                            )))
                        });
                    (row, sent)
                });
            }
            let Some(done) = running.join_next().await else {
                break;
            };
            let Ok((row, sent)) = done else { continue };
            match sent {
                Ok(()) => {
                    self.store
                        .mark_mail_sent(row.id, ts(OffsetDateTime::now_utc()))
                        .await?;
                    self.metrics.delivery("sent");
                    tracing::info!(outbox_id = row.id, "e-mail delivered");
                }
                Err(e) => {
                    let next = OffsetDateTime::now_utc() + backoff(row.attempts, e.is_permanent());
                    self.store
                        .mark_mail_failed(row.id, ts(next), &e.to_string())
                        .await?;
                    self.metrics.delivery("failed");
                    tracing::warn!(outbox_id = row.id, attempts = row.attempts + 1, error = %e, "e-mail delivery failed; will retry");
                }
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stopped at any moment, the worker leaves nothing claimed: its message is due at once at
    /// the next start, not after a claim's lease. Stops land before, during and after the
    /// claim (the relay accepts connections and never answers, so a delivery hangs).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_worker_leaves_nothing_claimed() {
        let (_dir, store) = Store::temporary().await;
        let mut tx = store.begin_write(&[]).await.unwrap();
        Store::enqueue_mail(&mut tx, None, "a@example.org", "Objet", "Corps", 0)
            .await
            .unwrap();
        store.commit(tx).await.unwrap();
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = crate::mail::RelayAddress::loopback(silent.local_addr().unwrap().port());
        let transport = Arc::new(
            MailTransport::from_config(
                &crate::mail::transport::MailTransportConfig::Smtp(relay),
                1,
                None,
            )
            .unwrap(),
        );
        for round in 0..200u64 {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let worker = tokio::spawn(
                DeliveryWorker {
                    store: store.clone(),
                    transport: transport.clone(),
                    from: "Espace Pro <ne-pas-repondre@espace-pro.invalid>".into(),
                    signal: OutboxSignal::default(),
                    metrics: Arc::new(Metrics::default()),
                    parallel: 1,
                }
                .run(stopped),
            );
            // 0 to 2 ms, in steps of 10 µs.
            tokio::time::sleep(Duration::from_micros((round * 10) % 2000)).await;
            stop.send(true).unwrap();
            worker.await.unwrap();
            let due = store.next_mail_attempt().await.unwrap().unwrap();
            let now = ts(OffsetDateTime::now_utc());
            assert!(
                due <= now,
                "round {round}: the message is put off until {due}, now is {now}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0, false), Duration::from_secs(2));
        assert_eq!(backoff(1, false), Duration::from_secs(4));
        assert_eq!(backoff(20, false), Duration::from_secs(30));
        assert_eq!(backoff(0, true), Duration::from_secs(3600));
    }
}
