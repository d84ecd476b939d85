//! Log-in throttling, by the address typed (known or not) and by client address. Failures are kept
//! in the database, so every replica sees them and a restart forgets nothing.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::clock::SharedClock;
use crate::config::ThrottleConfig;
use crate::store::{Store, StoreError, ts};

#[derive(Clone)]
pub struct Throttle {
    store: Store,
    config: ThrottleConfig,
    clock: SharedClock,
    /// Makes "check, then record" one step for `take_window`.
    gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The throttling subject of a login address: its hash, so the table does not list addresses.
pub fn email_subject(email_key: &str) -> String {
    format!(
        "email:{}",
        hex::encode(Sha256::digest(email_key.as_bytes()))
    )
}

pub fn client_subject(ip: IpAddr) -> String {
    // IPv6 clients get a /64 each: one host usually holds the whole prefix.
    match ip {
        IpAddr::V4(v4) => format!("client:{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("client:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

impl Throttle {
    pub fn new(store: Store, config: ThrottleConfig, clock: SharedClock) -> Self {
        Self {
            store,
            config,
            clock,
            gate: Default::default(),
        }
    }

    /// `Err(seconds)` when an attempt must wait.
    pub async fn check(
        &self,
        email_subject: &str,
        client_subject: &str,
    ) -> Result<Result<(), u64>, StoreError> {
        let now = ts(self.clock.now());
        let hour = 3600;
        let by_email = self.store.failure_stats(email_subject, now - hour).await?;
        let mut wait: i64 = 0;
        if by_email.count >= i64::from(self.config.account_failures_per_hour) {
            wait = wait.max(by_email.oldest.unwrap_or(now) + hour - now);
        } else if by_email.count >= i64::from(self.config.free_failures) {
            let over = (by_email.count - i64::from(self.config.free_failures)).clamp(0, 30) as u32;
            let delay = (1i64 << over).min(self.config.max_delay.as_secs() as i64);
            wait = wait.max(by_email.newest.unwrap_or(now) + delay - now);
        }
        let window = self.config.client_window.as_secs() as i64;
        let by_client = self
            .store
            .failure_stats(client_subject, now - window)
            .await?;
        if by_client.count >= i64::from(self.config.client_failures_per_window) {
            wait = wait.max(by_client.oldest.unwrap_or(now) + window - now);
        }
        Ok(if wait > 0 { Err(wait as u64) } else { Ok(()) })
    }

    pub async fn record_failure(
        &self,
        email_subject: &str,
        client_subject: &str,
    ) -> Result<(), StoreError> {
        self.store
            .record_failures(&[email_subject, client_subject], ts(self.clock.now()))
            .await
    }

    /// Fixed-window limit: `Err(seconds)` when `subject` already has `max` events in `window`.
    pub async fn check_window(
        &self,
        subject: &str,
        max: u32,
        window: std::time::Duration,
    ) -> Result<Result<(), u64>, StoreError> {
        let now = ts(self.clock.now());
        let window = window.as_secs() as i64;
        let stats = self.store.failure_stats(subject, now - window).await?;
        Ok(if stats.count >= i64::from(max) {
            Err((stats.oldest.unwrap_or(now) + window - now).max(1) as u64)
        } else {
            Ok(())
        })
    }

    /// Checks the limit and, when under it, counts this event, as one step: concurrent callers
    /// cannot all slip under the limit.
    pub async fn take_window(
        &self,
        subject: &str,
        max: u32,
        window: std::time::Duration,
    ) -> Result<Result<(), u64>, StoreError> {
        let _one_at_a_time = self.gate.lock().await;
        let verdict = self.check_window(subject, max, window).await?;
        if verdict.is_ok() {
            self.record(&[subject]).await?;
        }
        Ok(verdict)
    }

    pub async fn record(&self, subjects: &[&str]) -> Result<(), StoreError> {
        self.store
            .record_failures(subjects, ts(self.clock.now()))
            .await
    }

    pub async fn clear(&self, email_subject: &str) -> Result<(), StoreError> {
        self.store.clear_failures(email_subject).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_do_not_show_the_address() {
        let s = email_subject("lila@orange.fr");
        assert!(!s.contains("lila"));
        assert_eq!(s, email_subject("lila@orange.fr"));
        assert_eq!(
            client_subject("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "client:2001:db8:1:2::/64"
        );
    }
}
