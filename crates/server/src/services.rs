//! The service's shared parts, built once and handed to handlers, the CLI and the worker.

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::crypto::{MasterKey, PasswordHasher};
use crate::mail::OutboxSignal;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::throttle::Throttle;

pub struct Services {
    pub config: Config,
    pub store: Store,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    pub key: MasterKey,
    pub outbox: OutboxSignal,
    pub metrics: Arc<Metrics>,
    pub throttle: Throttle,
    /// `GET /v1/service-info`'s body in French and in English, serialised at its first request:
    /// it depends only on the configuration.
    pub service_info: std::sync::OnceLock<[Arc<[u8]>; 2]>,
    /// `/readyz`'s last look at the database: when, and what was wrong (`None`: nothing).
    pub readiness: tokio::sync::Mutex<Option<(std::time::Instant, Option<String>)>>,
    /// The database was re-keyed under this service (`rotate-key --force`): it must not seal
    /// or key anything more with its old key. Every request is refused (503) and the service
    /// stops (`retired` wakes `Application::run_until_signal`).
    pub key_retired: std::sync::atomic::AtomicBool,
    pub retired: tokio::sync::Notify,
}

impl Services {
    pub async fn new(config: Config, clock: SharedClock) -> anyhow::Result<Arc<Self>> {
        let store = Store::connect(&config.database).await?;
        let metrics = Arc::new(Metrics::default());
        let mut hasher = PasswordHasher::new(config.argon2, config.hash_concurrency)?
            .with_queue(metrics.hash_queue.clone());
        if config.release_hash_memory {
            hasher = hasher.releasing_memory();
        }
        let key = MasterKey::load_or_create(&config.key_file)?;
        // Data sealed with one key and a service holding another (a rotation not yet copied to
        // this replica) would mix both: refused.
        if !store.adopt_key_fingerprint(&key.fingerprint()).await? {
            anyhow::bail!(
                "the master key {} is not the one this database is sealed with: after a rotate-key, copy the new key file to every replica",
                config.key_file.display()
            );
        }
        let throttle = Throttle::new(store.clone(), config.throttle, clock.clone(), key.clone());
        Ok(Arc::new(Self {
            config,
            store,
            clock,
            hasher,
            key,
            outbox: OutboxSignal::default(),
            metrics,
            throttle,
            service_info: std::sync::OnceLock::new(),
            readiness: tokio::sync::Mutex::new(None),
            key_retired: std::sync::atomic::AtomicBool::new(false),
            retired: tokio::sync::Notify::new(),
        }))
    }

    /// Commits a transaction that queued mail, then wakes the delivery worker: both even if the
    /// request is dropped meanwhile (its client hung up), so that the message does not wait for
    /// the worker's next idle check.
    pub async fn commit_mail(&self, tx: crate::store::Tx) -> crate::store::StoreResult<()> {
        let outbox = self.outbox.clone();
        self.store.commit_then(tx, move || outbox.wake()).await
    }

    /// Now, to the second: what is stored, so what is answered matches it.
    pub fn now(&self) -> time::OffsetDateTime {
        let now = self.clock.now();
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Today in the configured time zone (a change at 00:30 in Paris is dated that day).
    pub fn today(&self) -> time::Date {
        self.config.time_zone.date(self.clock.now())
    }

    /// `at` in the configured time zone, for what people read (e-mails).
    pub fn local(&self, at: time::OffsetDateTime) -> time::OffsetDateTime {
        self.config.time_zone.local(at)
    }
}

pub type AppState = Arc<Services>;
