//! The service's metrics, kept by `prometheus-client` and served in the OpenMetrics text format on
//! the `--metrics-listen` address:
//!
//! - `espace_pro_http_request_duration_seconds{route, class}`: every answer, by route template
//!   (`unmatched` for any other path, so that stray paths do not make new series) and status class;
//! - `espace_pro_logins_total{result}`: success, failure, throttled;
//! - `espace_pro_password_changes_total`;
//! - `espace_pro_new_device_alerts_held_total`: new-device alerts not e-mailed because the
//!   account had its hour's share already (the log-ins are still in its activity);
//! - `espace_pro_password_hash_waiting` and `espace_pro_password_hash_wait_seconds`: log-ins and
//!   changes queued for a hashing slot, and how long they wait;
//! - `espace_pro_mail_delivery_attempts_total{result}`: sent, failed;
//! - `espace_pro_outbox_unsent` and `espace_pro_outbox_oldest_unsent_age_seconds`: read from the
//!   database at each scrape (so every replica reports the shared outbox);
//! - `espace_pro_db_connections{state}`: open and idle connections of the pool.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: &'static str,
}

fn request_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The hashing slots' queue, shared with the hasher.
#[derive(Clone)]
pub struct HashQueue {
    pub waiting: Gauge,
    pub wait: Histogram,
}

impl Default for HashQueue {
    fn default() -> Self {
        Self {
            waiting: Gauge::default(),
            wait: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
        }
    }
}

/// What the database says at a scrape.
pub struct StoreReading {
    pub unsent_mail: i64,
    pub oldest_unsent_age: Duration,
    pub connections: u32,
    pub idle_connections: usize,
    /// Times the read cache was told of a write (its generation).
    pub cache_invalidations: u64,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Histogram, fn() -> Histogram>,
    logins: Family<ResultLabel, Counter>,
    password_changes: Counter,
    new_device_alerts_held: Counter,
    deliveries: Family<ResultLabel, Counter>,
    pub hash_queue: HashQueue,
    unsent: Gauge,
    oldest_unsent_age: Gauge<f64, std::sync::atomic::AtomicU64>,
    connections: Family<StateLabel, Gauge>,
    readiness_probes: Counter,
    cache_invalidations: Gauge<u64, std::sync::atomic::AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("espace_pro");
        let requests = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            request_histogram as fn() -> Histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route and status class",
            prometheus_client::registry::Unit::Seconds,
            requests.clone(),
        );
        let logins = Family::<ResultLabel, Counter>::default();
        registry.register("logins", "Log-in attempts by result", logins.clone());
        let password_changes = Counter::default();
        registry.register(
            "password_changes",
            "Passwords changed",
            password_changes.clone(),
        );
        let new_device_alerts_held = Counter::default();
        registry.register(
            "new_device_alerts_held",
            "New-device alerts not e-mailed: the account had its hour's share already",
            new_device_alerts_held.clone(),
        );
        let deliveries = Family::<ResultLabel, Counter>::default();
        registry.register(
            "mail_delivery_attempts",
            "Hand-overs of an e-mail to the relay, by result",
            deliveries.clone(),
        );
        let hash_queue = HashQueue::default();
        registry.register(
            "password_hash_waiting",
            "Password hashes waiting for a hashing slot",
            hash_queue.waiting.clone(),
        );
        registry.register_with_unit(
            "password_hash_wait",
            "Time a password hash waited for a hashing slot",
            prometheus_client::registry::Unit::Seconds,
            hash_queue.wait.clone(),
        );
        let unsent = Gauge::default();
        registry.register(
            "outbox_unsent",
            "E-mails waiting for delivery",
            unsent.clone(),
        );
        let oldest_unsent_age = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register_with_unit(
            "outbox_oldest_unsent_age",
            "Age of the oldest e-mail waiting for delivery (0 when none waits)",
            prometheus_client::registry::Unit::Seconds,
            oldest_unsent_age.clone(),
        );
        let connections = Family::<StateLabel, Gauge>::default();
        registry.register(
            "db_connections",
            "Database connections of the pool: open, idle",
            connections.clone(),
        );
        let readiness_probes = Counter::default();
        registry.register(
            "readiness_probes",
            "Checks of the database /readyz made (its answers are reused for a second)",
            readiness_probes.clone(),
        );
        let cache_invalidations = Gauge::<u64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "read_cache_invalidations",
            "Writes the read cache was told of since the start (each empties what it serves)",
            cache_invalidations.clone(),
        );
        Self {
            readiness_probes,
            cache_invalidations,
            registry,
            requests,
            logins,
            password_changes,
            new_device_alerts_held,
            deliveries,
            hash_queue,
            unsent,
            oldest_unsent_age,
            connections,
        }
    }
}

fn class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    /// One answer: `route` is the route's template, or `None` for a path no route matched.
    pub fn request(&self, route: Option<&str>, status: u16, took: Duration) {
        let labels = RouteLabels {
            route: route.unwrap_or("unmatched").to_owned(),
            class: class(status),
        };
        self.requests
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// `result`: "success", "failure" or "throttled".
    pub fn login(&self, result: &'static str) {
        self.logins.get_or_create(&ResultLabel { result }).inc();
    }

    pub fn readiness_probed(&self) {
        self.readiness_probes.inc();
    }

    pub fn password_changed(&self) {
        self.password_changes.inc();
    }

    pub fn new_device_alert_held(&self) {
        self.new_device_alerts_held.inc();
    }

    /// `result`: "sent" or "failed".
    pub fn delivery(&self, result: &'static str) {
        self.deliveries.get_or_create(&ResultLabel { result }).inc();
    }

    /// The OpenMetrics text, with the database's figures read just now.
    pub fn render(&self, reading: &StoreReading) -> String {
        self.unsent.set(reading.unsent_mail);
        self.cache_invalidations.set(reading.cache_invalidations);
        self.oldest_unsent_age
            .set(reading.oldest_unsent_age.as_secs_f64());
        self.connections
            .get_or_create(&StateLabel { state: "open" })
            .set(i64::from(reading.connections));
        self.connections
            .get_or_create(&StateLabel { state: "idle" })
            .set(reading.idle_connections as i64);
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_its_labels() {
        let m = Metrics::default();
        m.request(Some("/v1/account"), 200, Duration::from_millis(3));
        m.request(None, 404, Duration::from_millis(1));
        m.login("failure");
        m.delivery("sent");
        let text = m.render(&StoreReading {
            unsent_mail: 2,
            oldest_unsent_age: Duration::from_secs(7),
            connections: 3,
            idle_connections: 1,
            cache_invalidations: 4,
        });
        for line in [
            "espace_pro_http_request_duration_seconds_count{route=\"/v1/account\",class=\"2xx\"} 1",
            "espace_pro_http_request_duration_seconds_bucket{le=\"0.004\",route=\"/v1/account\",class=\"2xx\"} 1",
            "espace_pro_http_request_duration_seconds_count{route=\"unmatched\",class=\"4xx\"} 1",
            "espace_pro_logins_total{result=\"failure\"} 1",
            "espace_pro_mail_delivery_attempts_total{result=\"sent\"} 1",
            "espace_pro_outbox_unsent 2",
            "espace_pro_outbox_oldest_unsent_age_seconds 7.0",
            "espace_pro_db_connections{state=\"open\"} 3",
            "espace_pro_password_hash_waiting 0",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
