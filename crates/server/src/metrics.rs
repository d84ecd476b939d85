//! Prometheus counters, rendered by hand in the text exposition format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub responses_2xx: Counter,
    pub responses_3xx: Counter,
    pub responses_4xx: Counter,
    pub responses_5xx: Counter,
    pub logins_succeeded: Counter,
    pub logins_failed: Counter,
    pub logins_throttled: Counter,
    pub password_changes: Counter,
    pub mail_sent: Counter,
    pub mail_failed_attempts: Counter,
}

impl Metrics {
    pub fn count_status(&self, status: u16) {
        match status {
            200..=299 => self.responses_2xx.inc(),
            300..=399 => self.responses_3xx.inc(),
            400..=499 => self.responses_4xx.inc(),
            _ => self.responses_5xx.inc(),
        }
    }

    pub fn render(&self, unsent_mail: i64) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP espace_pro_http_responses_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE espace_pro_http_responses_total counter");
        for (class, c) in [
            ("2xx", &self.responses_2xx),
            ("3xx", &self.responses_3xx),
            ("4xx", &self.responses_4xx),
            ("5xx", &self.responses_5xx),
        ] {
            let _ = writeln!(
                out,
                "espace_pro_http_responses_total{{class=\"{class}\"}} {}",
                c.get()
            );
        }
        let _ = writeln!(
            out,
            "# HELP espace_pro_logins_total Log-in attempts by result."
        );
        let _ = writeln!(out, "# TYPE espace_pro_logins_total counter");
        for (result, c) in [
            ("success", &self.logins_succeeded),
            ("failure", &self.logins_failed),
            ("throttled", &self.logins_throttled),
        ] {
            let _ = writeln!(
                out,
                "espace_pro_logins_total{{result=\"{result}\"}} {}",
                c.get()
            );
        }
        for (name, help, c) in [
            (
                "espace_pro_password_changes_total",
                "Passwords changed.",
                &self.password_changes,
            ),
            (
                "espace_pro_mail_sent_total",
                "E-mails accepted by the relay.",
                &self.mail_sent,
            ),
            (
                "espace_pro_mail_failed_attempts_total",
                "Failed delivery attempts.",
                &self.mail_failed_attempts,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.get()
            );
        }
        let _ = writeln!(
            out,
            "# HELP espace_pro_outbox_unsent E-mails waiting for delivery.\n# TYPE espace_pro_outbox_unsent gauge\nespace_pro_outbox_unsent {unsent_mail}"
        );
        out
    }
}
