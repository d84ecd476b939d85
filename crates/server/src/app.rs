//! The running service: binds its own listener (port 0 in tests), serves, delivers the outbox,
//! and stops cleanly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long requests in flight have to finish once the service is asked to stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::mail::{DeliveryWorker, MailTransport};
use crate::services::Services;

pub struct Application {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    services: Arc<Services>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    worker: JoinHandle<()>,
    heartbeat: JoinHandle<()>,
}

impl Application {
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        if config.test_mode()
            && (!config.listen.ip().is_loopback() || !config.trusted_proxies.is_empty())
        {
            anyhow::bail!(
                "--test-clock-file and --captcha-test-answer are for automated tests: they are refused unless the service listens on a loopback address, with no proxy in front"
            );
        }
        if config
            .captcha_test_answer()
            .is_some_and(|a| a.trim().is_empty())
        {
            anyhow::bail!("--captcha-test-answer needs a non-empty answer");
        }
        if config.test_mode() {
            tracing::warn!(
                "TEST MODE: test clock or fixed CAPTCHA answer enabled; never use this in production"
            );
        }
        let ca_pem = match &config.smtp_ca_file {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("--smtp-ca-file {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let transport = MailTransport::from_config(
            &config.mail,
            config.mail_parallel_deliveries,
            ca_pem.as_deref(),
        )?;
        let services = Services::new(config, clock).await?;
        let listener = tokio::net::TcpListener::bind(services.config.listen).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stop) = watch::channel(false);

        let worker = tokio::spawn(
            DeliveryWorker {
                store: services.store.clone(),
                transport: Arc::new(transport),
                from: services.config.mail_from.clone(),
                signal: services.outbox.clone(),
                metrics: services.metrics.clone(),
                parallel: services.config.mail_parallel_deliveries,
            }
            .run(stop.clone()),
        );
        tokio::spawn(maintenance(services.clone(), stop.clone()));
        let replica = Replica::new(&services);
        replica.beat(&services).await;
        let heartbeat = tokio::spawn(heartbeat(services.clone(), replica, stop.clone()));

        let metrics_addr = match services.config.metrics_listen {
            Some(at) => {
                let listener = tokio::net::TcpListener::bind(at).await?;
                let metrics_addr = listener.local_addr()?;
                let router = crate::http::metrics_router(services.clone());
                let mut stop_metrics = stop.clone();
                tokio::spawn(async move {
                    axum::serve(listener, router)
                        .with_graceful_shutdown(async move {
                            let _ = stop_metrics.wait_for(|s| *s).await;
                        })
                        .await
                });
                Some(metrics_addr)
            }
            None => None,
        };
        let app = crate::http::router_at(services.clone(), addr);
        let limits = crate::http::serve::ConnectionLimits {
            overall: services
                .config
                .max_connections
                .min(crate::files::open_files_for_connections()),
            per_client: services.config.max_connections_per_client,
            exempt: services.config.trusted_proxies.clone(),
        };
        tracing::info!(
            overall = limits.overall,
            per_client = limits.per_client,
            "connection limits"
        );
        let server = tokio::spawn(crate::http::serve::serve(listener, app, limits, stop));
        tracing::info!(%addr, "Espace Pro account service listening");
        Ok(Self {
            addr,
            metrics_addr,
            services,
            shutdown,
            server,
            worker,
            heartbeat,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `/metrics` is served, if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Tests only: the mail delivery worker stops, as a bug that ended it would leave things.
    #[cfg(any(test, feature = "test-switches"))]
    pub fn stop_mail_worker(&self) {
        self.worker.abort();
    }

    /// Stops accepting, finishes requests in flight (for at most `SHUTDOWN_GRACE`: a client that
    /// holds a connection open does not hold the service), stops the worker (a delivery in
    /// progress stays in the outbox), closes the database.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.server)
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the grace period: closed");
            self.server.abort();
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.worker)
            .await
            .is_err()
        {
            self.worker.abort();
        }
        // Its row removed: `rotate-key` may run once every replica has stopped.
        if tokio::time::timeout(Duration::from_secs(2), &mut self.heartbeat)
            .await
            .is_err()
        {
            self.heartbeat.abort();
        }
        self.services.store.close().await;
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_signal(self) -> anyhow::Result<()> {
        let ctrl_c = tokio::signal::ctrl_c();
        let services = self.services.clone();
        let retired = services.retired.notified();
        #[cfg(unix)]
        let retired = {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = ctrl_c => false,
                _ = term.recv() => false,
                _ = retired => true,
            }
        };
        #[cfg(not(unix))]
        let retired = tokio::select! {
            r = ctrl_c => { r?; false }
            _ = retired => true,
        };
        tracing::info!("stopping");
        self.shutdown().await;
        if retired {
            anyhow::bail!(
                "the master key was rotated under this service: copy the new key file, then start it again"
            );
        }
        Ok(())
    }
}

/// Security events of no account are kept this long at most.
const ANONYMOUS_AUDIT_RETENTION: i64 = 30 * 24 * 3600;

/// The hourly clean-up: old throttling rows, expired CAPTCHAs and tickets, security events past
/// their retention.
pub async fn maintain(services: &Services) {
    let now = services.now().unix_timestamp();
    if let Err(e) = services.store.prune_failures(now - 24 * 3600).await {
        tracing::warn!(error = %e, "could not prune old throttling events");
    }
    if let Err(e) = services.store.prune_expired(now).await {
        tracing::warn!(error = %e, "could not prune expired CAPTCHAs and tickets");
    }
    let retention = services.config.audit_retention.as_secs() as i64;
    match services
        .store
        .prune_audit(
            now - retention,
            now - retention.min(ANONYMOUS_AUDIT_RETENTION),
        )
        .await
    {
        Ok(0) => {}
        Ok(pruned) => tracing::info!(pruned, "security events past their retention removed"),
        Err(e) => tracing::warn!(error = %e, "could not prune old security events"),
    }
}

async fn maintenance(services: Arc<Services>, mut stop: watch::Receiver<bool>) {
    loop {
        maintain(&services).await;
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often a running service says so in `replicas` (`rotate-key` reads it).
pub const HEARTBEAT: Duration = Duration::from_secs(10);

/// Keeps this service's row in `replicas` fresh until it stops, then removes it. Wall time:
/// `rotate-key`, another process, compares with its own.
/// This service in `replicas`: its id, what it says of itself, since when.
struct Replica {
    id: String,
    host: String,
    started: i64,
}

fn wall() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Replica {
    fn new(services: &Services) -> Self {
        Self {
            id: hex::encode(rand::random::<[u8; 8]>()),
            host: format!(
                "{} (pid {}, {})",
                hostname(),
                std::process::id(),
                services.config.listen
            ),
            started: wall(),
        }
    }

    /// Its row written or refreshed.
    async fn beat(&self, services: &Services) {
        let written = services
            .store
            .heartbeat(&self.id, &self.host, self.started, wall())
            .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not record that this service runs");
        }
    }
}

/// After the first beat (made before the service answers, so its row is there from the start),
/// keeps the row fresh until the service stops, then removes it.
async fn heartbeat(services: Arc<Services>, replica: Replica, mut stop: watch::Receiver<bool>) {
    let id = replica.id.clone();
    let fingerprint = services.key.fingerprint();
    loop {
        // The key was rotated under this replica (rotate-key --force): going on would seal
        // and key with the old one. It stops; systemd restarts it, and it starts again once
        // the new key file is copied here.
        if let Ok(Some(recorded)) = services.store.key_fingerprint().await
            && recorded != fingerprint
        {
            tracing::error!(
                "the database is now sealed with another master key (rotated): every request is refused and the service stops; copy the new key file here"
            );
            services
                .key_retired
                .store(true, std::sync::atomic::Ordering::SeqCst);
            services.retired.notify_one();
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(HEARTBEAT) => {}
            _ = stop.changed() => break,
        }
        replica.beat(&services).await;
    }
    if let Err(e) = services.store.leave(&id, wall()).await {
        tracing::warn!(error = %e, "could not record that this service stops");
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "this machine".to_owned())
}
