//! `cargo bench -p espace-pro-server`: the figures behind the service's speed goals.
//!
//! 1. One Argon2id hash at the production cost (19 MiB, 2 iterations).
//! 2. Log-ins per second: the release build in-process on loopback, 8 clients in parallel, for
//!    5 seconds. The load generator shares the machine's cores with the service.
//! 3. Request-to-e-mail delay: from sending a password change to its arrival at a real SMTP
//!    listener on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use espace_pro_server::accounts::{NewAccount, create_account};
use espace_pro_server::clock::SystemClock;
use espace_pro_server::config::Argon2Config;
use espace_pro_server::crypto::PasswordHasher;
use espace_pro_server::{Application, Config};
use espace_pro_testkit::SmtpListener;
use serde_json::json;

const PASSWORDS: [&str; 2] = ["Vert7Citron4Galop9Sable2", "Orage5Pivoine8Fanal3Zeste"];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs this file too (without --bench): the figures mean
    // something only in the release build, so it stops there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("service bench: run it with `cargo bench -p espace-pro-server`");
        return;
    }
    let hasher = PasswordHasher::new(Argon2Config::default(), 1).unwrap();
    let mut times = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        hasher.hash(PASSWORDS[0]).await.unwrap();
        times.push(t.elapsed());
    }
    println!(
        "argon2id_hash (19 MiB, t=2, p=1): median {:.1} ms",
        median(times).as_secs_f64() * 1e3
    );

    let smtp = SmtpListener::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(&dir.path().join("bench.sqlite"), smtp.port());
    config.argon2 = Argon2Config::default();
    config.throttle.client_failures_per_window = u32::MAX;
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .unwrap();
    let base = format!("http://{}", app.addr());
    let account = NewAccount {
        email: "bench@example.fr".into(),
        first_name: "Banc".into(),
        last_name: "ESSAI".into(),
        ..Default::default()
    };
    create_account(app.services(), &account, PASSWORDS[0])
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let started = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let http = http.clone();
            let url = format!("{base}/v1/sessions");
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let r = http
                        .post(&url)
                        .json(&json!({"email": "bench@example.fr", "password": PASSWORDS[0]}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "logins: {total} in {secs:.1} s = {:.1} per second (8 clients)",
        total as f64 / secs
    );

    let mut delays = Vec::new();
    for i in 0..10 {
        let r: serde_json::Value = http
            .post(format!("{base}/v1/sessions"))
            .json(&json!({"email": "bench@example.fr", "password": PASSWORDS[i % 2]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = r["token"].as_str().unwrap().to_owned();
        let next = PASSWORDS[(i + 1) % 2];
        let t = Instant::now();
        let r = http
            .put(format!("{base}/v1/account/password"))
            .bearer_auth(&token)
            .json(&json!({"new_password": next, "confirm_password": next}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        smtp.wait_for_count(i + 1, Duration::from_secs(10)).await;
        delays.push(t.elapsed());
    }
    println!(
        "request_to_email (password change → SMTP listener): median {:.1} ms, max {:.1} ms",
        median(delays.clone()).as_secs_f64() * 1e3,
        delays.iter().max().unwrap().as_secs_f64() * 1e3
    );
    app.shutdown().await;
}
