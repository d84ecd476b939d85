//! The load and the baselines: wrk, Argon2 alone, e-mails queued for the outbox.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use espace_pro_server::config::Argon2Config;
use espace_pro_server::crypto::PasswordHasher;
use espace_pro_server::store::Store;
use espace_pro_testkit::SmtpListener;

use crate::processes::{Db, start_service};
use crate::{EMAIL, Options, PASSWORD};

/// What wrk measured.
pub struct Wrk {
    pub per_second: f64,
    pub failed: u64,
}

/// wrk with 2 threads and `connections` connections for `seconds`; the script (request method,
/// body, headers) is written to a private file, so that no token shows in the process list.
pub fn wrk(url: &str, script: &str, connections: u32, seconds: u64) -> Wrk {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.lua");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(&file)
        .arg(url)
        .output()
        .expect("run wrk (cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let number = |label: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|v| v.trim().parse().ok())
    };
    let per_second = number("Requests/sec:").unwrap_or_else(|| panic!("wrk said: {text}"));
    let failed = number("Non-2xx or 3xx responses:").unwrap_or(0.0) as u64
        + text
            .lines()
            .find(|l| l.trim().starts_with("Socket errors:"))
            .map(|l| {
                l.split(',')
                    .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0);
    Wrk { per_second, failed }
}

pub fn bearer_script(token: &str) -> String {
    format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n")
}

/// Log-ins as the app makes them: from a device the account knows (after the first, which is
/// told by e-mail), named.
pub fn login_script() -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '{{\"email\":\"{EMAIL}\",\"password\":\"{PASSWORD}\",\"device_id\":\"banc0123456789abcdef0123456789ab\",\"device_name\":\"Banc d essai\"}}'\n"
    )
}

/// Argon2id at the service's default cost, one hash after another for `seconds`, in this
/// process: the time of one hash, sustained (a burst of a few hashes on an idle machine runs
/// faster than the same hashes a few seconds later).
pub async fn one_hash(seconds: u64) -> Duration {
    let hasher = PasswordHasher::new(Argon2Config::default(), 1).unwrap();
    let began = Instant::now();
    let mut n = 0u32;
    while began.elapsed() < Duration::from_secs(seconds) {
        hasher.hash(PASSWORD).await.unwrap();
        n += 1;
    }
    began.elapsed() / n
}

/// Argon2id at the service's default cost, `cores` hashes at once for `seconds`, in this process:
/// what the machine can hash when every core does it (they share the memory bus).
pub async fn parallel_hashes(cores: usize, seconds: u64) -> f64 {
    let hasher = std::sync::Arc::new(PasswordHasher::new(Argon2Config::default(), cores).unwrap());
    let began = Instant::now();
    let until = began + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..cores)
        .map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let mut n = 0u32;
                while Instant::now() < until {
                    hasher.hash(PASSWORD).await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    f64::from(total) / began.elapsed().as_secs_f64()
}

/// Queues `count` e-mails straight into a new database, as requests would have.
pub async fn queued_mail(dir: &Path, name: &str, count: usize) -> Db {
    let db = Db::sqlite(dir, name);
    let store = Store::connect(&db.url).await.unwrap();
    let mut tx = store.begin_write(&[]).await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for i in 0..count {
        Store::enqueue_mail(
            &mut tx,
            None,
            &format!("lot{i}@example.org"),
            "Espace professionnel - Banc d'essai",
            "Bonjour,\n\nCeci est un message du banc d'essai.\n",
            now,
        )
        .await
        .unwrap();
    }
    store.commit(tx).await.unwrap();
    store.close().await;
    db
}

/// E-mails per second from the first to the last arrival at the relay.
pub async fn drain(o: &Options, db: &Db, count: usize, extra: &[&str]) -> f64 {
    let smtp = SmtpListener::start().await;
    let (_service, _) = start_service(o, db, &smtp, extra).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut first = None;
    loop {
        let n = smtp.messages().len();
        if n >= 1 && first.is_none() {
            first = Some(Instant::now());
        }
        if n >= count {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} of {count} e-mails in 60 s"
        );
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let took = first.unwrap().elapsed().as_secs_f64();
    (count - 1) as f64 / took
}
