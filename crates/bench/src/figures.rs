//! Each measurement adds its rows to the table, beside its baseline from the same run.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::load::{
    bearer_script, drain, login_script, one_hash, parallel_hashes, queued_mail, wrk,
};
use crate::processes::{Db, Running, log_in, start_hello, start_service};
use crate::{Bench, Row, median, mib, ms, percentile};

/// Limits the bench's own load would trip: one account changing its address 50 times, one
/// client logging in thousands of times.
pub const LIMITS: [&str; 4] = [
    "--email-changes-per-account-per-hour",
    "1000000",
    "--client-failures-per-15-minutes",
    "1000000",
];

impl Bench {
    /// The release service on `db`, with the bench's limits, and its time to healthy.
    pub async fn service(&self, db: &Db) -> (Running, Duration) {
        start_service(&self.o, db, &self.smtp, &LIMITS).await
    }

    /// wrk against `url` (see [`wrk`]): requests per second; failures are counted for the run.
    pub fn load(&mut self, url: &str, script: &str, connections: u32, seconds: u64) -> f64 {
        let w = wrk(url, script, connections, seconds);
        self.failed += w.failed;
        w.per_second
    }

    /// Log-ins for 10 s, 8 connections: per second.
    pub fn log_in_load(&mut self, service: &Running) -> f64 {
        let url = format!("{}/v1/sessions", service.base);
        self.load(&url, &login_script(), 8, 10)
    }

    /// `GET /v1/account` with `token`, 32 connections: per second.
    pub fn account_load(&mut self, service: &Running, token: &str) -> f64 {
        let url = format!("{}/v1/account", service.base);
        let seconds = self.o.wrk_seconds;
        self.load(&url, &bearer_script(token), 32, seconds)
    }

    pub async fn start_up(&mut self) {
        eprintln!("==> start-up to healthy, {} rounds each", self.o.rounds);
        let (mut hello_starts, mut service_starts) = (Vec::new(), Vec::new());
        for _ in 0..self.o.rounds {
            hello_starts.push(start_hello(&self.o).await.1);
            service_starts.push(self.service(&self.db).await.1);
        }
        let (hello_start, service_start) = (median(hello_starts), median(service_starts));
        self.rows.push(Row {
            what: "start-up to healthy (existing database)",
            figure: ms(service_start),
            baseline: format!("{} (hello-world)", ms(hello_start)),
            ratio: format!(
                "{:.1} ×",
                service_start.as_secs_f64() / hello_start.as_secs_f64()
            ),
            goal: "≤ 1 s",
            met: service_start <= Duration::from_secs(1),
        });
    }

    /// `GET /v1/service-info` and `GET /v1/account` beside the hello-world, rounds alternating:
    /// returns the second (SQLite's, for the PostgreSQL row).
    pub async fn reads(&mut self, service: &Running) -> f64 {
        let (hello, _) = start_hello(&self.o).await;
        let token = log_in(&self.http, &service.base).await;
        eprintln!(
            "==> wrk, 2 threads, 32 connections, {} s, {} alternating rounds",
            self.o.wrk_seconds, self.o.rounds
        );
        let failed_before = self.failed;
        let seconds = self.o.wrk_seconds;
        let (mut base_rps, mut info_rps, mut account_rps) = (vec![], vec![], vec![]);
        for _ in 0..self.o.rounds {
            base_rps.push(wrk(&format!("{}/", hello.base), "", 32, seconds).per_second);
            let url = format!("{}/v1/service-info", service.base);
            info_rps.push(self.load(&url, "", 32, seconds));
            account_rps.push(self.account_load(service, &token));
        }
        drop(hello);
        let base = median(base_rps);
        let account = median(account_rps);
        for (what, rps) in [
            ("`GET /v1/service-info` (requests/s)", median(info_rps)),
            ("`GET /v1/account` with a token (requests/s)", account),
        ] {
            self.rows.push(Row {
                what,
                figure: format!("{rps:.0}"),
                baseline: format!("{base:.0} (axum hello-world)"),
                ratio: format!("{:.2} ×", rps / base),
                goal: "≥ 0.5 ×",
                met: rps / base >= 0.5 && self.failed == failed_before,
            });
        }
        account
    }

    /// Log-ins against the Argon2 bound and hashing on every core. The machine's speed drifts
    /// by several percent within minutes (other guests share its caches): each round measures
    /// the bound and hashing on every core just before its log-ins, and the ratios are the
    /// medians of the rounds' ratios. Returns the log-ins per second.
    pub async fn log_ins(&mut self, service: &Running) -> f64 {
        let cores = self.cores;
        eprintln!(
            "==> log-ins: {} alternating rounds of one hash at a time (3 s), {cores} hashes at once (3 s), then wrk, 2 threads, 8 connections (10 s)",
            self.o.rounds
        );
        let (mut hashes, mut bounds, mut all_cores) = (vec![], vec![], vec![]);
        let (mut logins, mut to_bound, mut to_all_cores) = (vec![], vec![], vec![]);
        for _ in 0..self.o.rounds {
            let hash = one_hash(3).await;
            let bound = cores as f64 / hash.as_secs_f64();
            let all = parallel_hashes(cores, 3).await;
            let per_second = self.log_in_load(service);
            eprintln!(
                "    one hash {}, bound {bound:.1}/s, {cores} at once {all:.1}/s, log-ins {per_second:.1}/s ({:.2} × the bound)",
                ms(hash),
                per_second / bound
            );
            to_bound.push(per_second / bound);
            to_all_cores.push(per_second / all);
            hashes.push(hash);
            bounds.push(bound);
            all_cores.push(all);
            logins.push(per_second);
        }
        let (hash, bound, all_cores) = (median(hashes), median(bounds), median(all_cores));
        let (to_bound, to_all_cores) = (median(to_bound), median(to_all_cores));
        let logins = median(logins);
        self.rows.push(Row {
            what: "log-ins per second, against hashing on every core",
            figure: format!("{logins:.1}"),
            baseline: format!("{all_cores:.1} (Argon2 alone, {cores} hashes at once)"),
            ratio: format!("{to_all_cores:.2} ×"),
            goal: "(information)",
            met: true,
        });
        self.rows.push(Row {
            what: "log-ins per second",
            figure: format!("{logins:.1}"),
            baseline: format!(
                "{bound:.1} (Argon2 bound: {cores} cores ÷ {} per hash)",
                ms(hash)
            ),
            ratio: format!("{to_bound:.2} ×"),
            goal: "≥ 0.85 ×",
            met: to_bound >= 0.85 && self.failed == 0,
        });
        logins
    }

    /// From the e-mail change's request to the activation e-mail at the relay, 50 times.
    pub async fn email_change(&mut self, service: &Running) {
        eprintln!("==> e-mail change → activation e-mail at the relay, 50 requests");
        let token = log_in(&self.http, &service.base).await;
        let (mut answers, mut arrivals) = (Vec::new(), Vec::new());
        for i in 0..50 {
            let to = format!("nouvelle{i}@example.org");
            let before = self.smtp.messages().len();
            let t = Instant::now();
            let r = self
                .http
                .post(format!("{}/v1/account/email-change", service.base))
                .bearer_auth(&token)
                .json(&json!({"new_email": to, "confirm_email": to}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 202, "{:?}", r.text().await);
            answers.push(t.elapsed());
            while !self.smtp.messages()[before..]
                .iter()
                .any(|m| m.envelope_to.contains(&to))
            {
                assert!(t.elapsed() < Duration::from_secs(30), "no e-mail to {to}");
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            arrivals.push(t.elapsed());
        }
        let (p50, p99) = (
            percentile(arrivals.clone(), 0.5),
            percentile(arrivals, 0.99),
        );
        self.rows.push(Row {
            what: "e-mail change → activation e-mail at the relay (p50 / p99)",
            figure: format!("{} / {}", ms(p50), ms(p99)),
            baseline: format!(
                "{} / {} (the HTTP answer)",
                ms(percentile(answers.clone(), 0.5)),
                ms(percentile(answers, 0.99))
            ),
            ratio: "—".into(),
            goal: "p50 ≤ 50 ms, p99 ≤ 250 ms",
            met: p50 <= Duration::from_millis(50) && p99 <= Duration::from_millis(250),
        });
    }

    /// Resident memory under log-in load, sampled every 10 s, beside the idle process.
    pub async fn memory(&mut self, service: &Running, idle_rss: u64) {
        eprintln!(
            "==> resident memory under log-in load for {} s (sampled every 10 s)",
            self.o.memory_seconds
        );
        let mut samples = Vec::new();
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(self.o.memory_seconds.max(20)) {
            self.log_in_load(service);
            samples.push(service.rss_kib());
        }
        let (first, last, most) = (
            samples[0],
            *samples.last().unwrap(),
            *samples.iter().max().unwrap(),
        );
        self.rows.push(Row {
            what: "resident memory under log-in load: after 10 s / at the end / highest",
            figure: format!("{} / {} / {}", mib(first), mib(last), mib(most)),
            baseline: format!("{} (idle after start)", mib(idle_rss)),
            ratio: format!("{:.1} ×", most as f64 / idle_rss as f64),
            goal: "≤ 128 MiB, end ≤ 10 s + 8 MiB",
            met: most <= 128 * 1024 && last <= first + 8 * 1024,
        });
    }

    /// 100 queued e-mails drained to a loopback relay, 16 at once beside one at a time.
    pub async fn outbox(&mut self) {
        eprintln!("==> outbox drain: 100 queued e-mails to a loopback relay");
        let dir = self.dir.path();
        let one = queued_mail(dir, "one.sqlite", 100).await;
        let one = drain(&self.o, &one, 100, &["--mail-parallel-deliveries", "1"]).await;
        let many = queued_mail(dir, "many.sqlite", 100).await;
        let many = drain(&self.o, &many, 100, &[]).await;
        self.rows.push(Row {
            what: "outbox drain, 100 e-mails (per second)",
            figure: format!("{many:.0} (16 at once, the default)"),
            baseline: format!("{one:.0} (one at a time)"),
            ratio: format!("{:.1} ×", many / one),
            goal: "≥ 300 per second",
            met: many >= 300.0,
        });
    }
}
