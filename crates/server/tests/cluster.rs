//! Three replicas on one PostgreSQL behind HAProxy (crates/pgtemp), driven from outside while
//! one replica is killed (`kill -9`) and PostgreSQL restarts:
//! - log-in throttling is exact across replicas: of 50 wrong log-ins sent together, as many are
//!   evaluated as the limit allows, not one more;
//! - no acknowledged change is lost: each account's phone number is, at the end, the last one
//!   a `200` confirmed or one sent after it whose answer never came;
//! - no e-mail is lost: every acknowledged e-mail change reaches the relay (duplicates, which a
//!   killed replica may cause, are counted and printed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use espace_pro_pgtemp::{ClusterOptions, LocalCluster};
use espace_pro_testkit::SmtpListener;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_espace-pro-server");
const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const WRONG: &str = "Wrong7Citron4Galop9Sable2";
/// Failures an address may have: the first five are free (the default); the growing delay
/// after them would let a sixth through one second later, so the hourly cap is set to five too,
/// making the limit independent of how long 50 requests take to pass.
const FREE_FAILURES: usize = 5;
const WRITERS: usize = 4;
const CHAOS_RUN: Duration = Duration::from_secs(8);

fn create_account(cluster: &LocalCluster, email: &str) {
    cluster.create_account(email, PASSWORD, &[]).unwrap();
}

/// What became of one request: confirmed, refused, or unknown (no answer, or a 5xx: it may or
/// may not have been applied).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Done,
    Refused(u16),
    Unknown,
}

async fn send(request: reqwest::RequestBuilder) -> (Outcome, Value) {
    match request.timeout(Duration::from_secs(20)).send().await {
        Err(_) => (Outcome::Unknown, Value::Null),
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.json().await.unwrap_or(Value::Null);
            match status {
                200..=299 => (Outcome::Done, body),
                500..=599 => (Outcome::Unknown, body),
                _ => (Outcome::Refused(status), body),
            }
        }
    }
}

async fn login(http: &reqwest::Client, base: &str, email: &str) -> String {
    for _ in 0..100 {
        let (outcome, body) = send(
            http.post(format!("{base}/v1/sessions"))
                .json(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
        if outcome == Outcome::Done {
            return body["token"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{email} could not log in");
}

/// One account's writes: phone numbers in order, with what each request became, and the new
/// addresses of the e-mail changes confirmed.
#[derive(Default)]
struct Writes {
    phones: Vec<(String, Outcome)>,
    mail_to: Vec<String>,
}

async fn writer(http: reqwest::Client, base: String, n: usize, until: Instant) -> Writes {
    let email = format!("writer{n}@example.fr");
    let mut token = login(&http, &base, &email).await;
    let mut writes = Writes::default();
    let mut k = 0;
    while Instant::now() < until {
        k += 1;
        let phone = format!("01 23 {n:02} {k:04}");
        let (outcome, _) = send(
            http.put(format!("{base}/v1/account/profile"))
                .bearer_auth(&token)
                .json(&json!({"phone": phone, "current_password": PASSWORD})),
        )
        .await;
        if outcome == Outcome::Refused(401) {
            // The session is gone (it cannot be, but say so rather than loop).
            token = login(&http, &base, &email).await;
        }
        writes.phones.push((phone, outcome));
        // At most 4 e-mail changes per account: the hourly limit is 5.
        if k % 3 == 0 && writes.mail_to.len() < 4 {
            let to = format!("new{n}-{k}@example.fr");
            let (outcome, _) = send(
                http.post(format!("{base}/v1/account/email-change"))
                    .bearer_auth(&token)
                    .json(&json!({"new_email": to, "confirm_email": to, "current_password": PASSWORD})),
            )
            .await;
            if outcome == Outcome::Done {
                writes.mail_to.push(to);
            }
        }
    }
    writes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_keep_limits_changes_and_mail_through_a_kill_and_a_database_restart() {
    let smtp = SmtpListener::start().await;
    let cluster = LocalCluster::start(ClusterOptions {
        server: BIN.into(),
        replicas: 3,
        serve_args: vec![
            "--smtp".into(),
            smtp.url(),
            "--login-failures-per-hour".into(),
            FREE_FAILURES.to_string(),
        ],
        port: None,
        durable: false,
        log_dir: None,
    })
    .unwrap();
    let base = cluster.url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    create_account(&cluster, "target@example.fr");
    for n in 0..WRITERS {
        create_account(&cluster, &format!("writer{n}@example.fr"));
    }

    // 1. Throttling across replicas: 50 wrong log-ins at once, round robin over three.
    let attempts = (0..50).map(|_| {
        send(
            http.post(format!("{base}/v1/sessions"))
                .json(&json!({"email": "target@example.fr", "password": WRONG})),
        )
    });
    let outcomes: Vec<Outcome> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    let evaluated = outcomes
        .iter()
        .filter(|o| **o == Outcome::Refused(401))
        .count();
    let held = outcomes
        .iter()
        .filter(|o| **o == Outcome::Refused(403))
        .count();
    println!("wrong log-ins: {evaluated} evaluated, {held} held for a CAPTCHA, of 50");
    assert_eq!(evaluated, FREE_FAILURES, "{outcomes:?}");
    assert_eq!(held, 50 - FREE_FAILURES, "{outcomes:?}");

    // 2. Writes through HAProxy while a replica is killed and PostgreSQL restarts.
    let until = Instant::now() + CHAOS_RUN;
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| tokio::spawn(writer(http.clone(), base.clone(), n, until)))
        .collect();
    let cluster = Arc::new(Mutex::new(cluster));
    let chaos = {
        let cluster = cluster.clone();
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(1500));
            cluster.lock().unwrap().kill_replica(1);
            std::thread::sleep(Duration::from_millis(1500));
            let restarted = Instant::now();
            cluster.lock().unwrap().pg.restart().unwrap();
            println!("PostgreSQL restarted in {:?}", restarted.elapsed());
            std::thread::sleep(Duration::from_millis(1500));
            let mut cluster = cluster.lock().unwrap();
            cluster.start_replica(1).unwrap();
            cluster.wait_ready(1, Duration::from_secs(30)).unwrap();
        })
    };
    let mut all = Vec::new();
    for w in writers {
        all.push(w.await.unwrap());
    }
    chaos.await.unwrap();

    // No acknowledged change lost.
    let mut done = 0;
    let mut unknown = 0;
    for (n, writes) in all.iter().enumerate() {
        let token = login(&http, &base, &format!("writer{n}@example.fr")).await;
        let (outcome, profile) = send(
            http.get(format!("{base}/v1/account/profile"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(outcome, Outcome::Done);
        let stored = profile["phone"].as_str().unwrap();
        let last_done = writes
            .phones
            .iter()
            .rposition(|(_, o)| *o == Outcome::Done)
            .expect("some write confirmed");
        let allowed: Vec<&str> = writes.phones[last_done..]
            .iter()
            .enumerate()
            .filter(|(i, (_, o))| *i == 0 || *o == Outcome::Unknown)
            .map(|(_, (p, _))| p.as_str())
            .collect();
        assert!(
            allowed.contains(&stored),
            "writer {n}: stored {stored}, confirmed/possible {allowed:?}"
        );
        done += writes
            .phones
            .iter()
            .filter(|(_, o)| *o == Outcome::Done)
            .count();
        unknown += writes
            .phones
            .iter()
            .filter(|(_, o)| *o == Outcome::Unknown)
            .count();
    }
    println!("profile writes: {done} confirmed, {unknown} without an answer, 0 lost");
    assert!(done >= 20, "too little was written to tell: {done}");

    // No e-mail lost; duplicates counted.
    let expected: Vec<String> = all.iter().flat_map(|w| w.mail_to.clone()).collect();
    assert!(!expected.is_empty());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut received: HashMap<String, usize> = HashMap::new();
    loop {
        received.clear();
        for m in smtp.messages() {
            for to in m.envelope_to {
                *received.entry(to).or_default() += 1;
            }
        }
        let missing: Vec<&String> = expected
            .iter()
            .filter(|t| !received.contains_key(*t))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "e-mails lost: {missing:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let duplicates: usize = expected.iter().map(|t| received[t].saturating_sub(1)).sum();
    println!(
        "activation e-mails: {} confirmed requests, all delivered, {duplicates} duplicates",
        expected.len()
    );
}
