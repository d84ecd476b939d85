//! Credential changes against requests already in flight (review finding 4): once a password
//! change has committed, no log-in verified against the old password and no write of a session
//! it revoked leaves anything behind (SPEC §4).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const ATTACKERS: usize = 10;
const ROUNDS: usize = 12;
const EMAIL: &str = "lila@example.fr";

/// The device attacker `n` logs in from: half of them name one the account knows (on
/// PostgreSQL such a log-in opens its session in one call, `espace_pro_open_session`), the
/// others name none (the general path, a transaction).
fn device_of(n: usize) -> Option<String> {
    n.is_multiple_of(2).then(|| format!("poste-course-{n:04}"))
}

/// A log-in of `email` with `password` from attacker `n`'s device.
async fn login_as(app: &TestApp, n: usize, email: &str, password: &str) -> reqwest::Response {
    let mut body = json!({"email": email, "password": password});
    if let Some(device) = device_of(n) {
        body["device_id"] = json!(device);
    }
    app.post("/v1/sessions", body).await
}

/// What one attacker got while the password was the old one: the sessions it opened.
async fn attacker(
    app: Arc<TestApp>,
    old: &'static str,
    stop: Arc<AtomicBool>,
    n: usize,
) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let r = login_as(&app, n, EMAIL, old).await;
        if r.status() != StatusCode::CREATED {
            continue;
        }
        let token = r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        // A write with the new session (fresh: no password needed), sent at once.
        app.http
            .put(app.url("/v1/account/profile"))
            .bearer_auth(&token)
            .json(&json!({"phone": format!("06{n:02}{i:06}")}))
            .send()
            .await
            .unwrap();
        tokens.push(token);
    }
    tokens
}

/// Ten clients log in with the old password (and write with each new session) in a loop while
/// the owner changes it, `ROUNDS` times. After each change: not one of their sessions works,
/// and the account's activity shows no log-in and no write after the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_change_wins_against_log_ins_and_writes_in_flight() {
    let app = Arc::new(
        TestApp::spawn_with(|c| {
            c.throttle.free_failures = 100_000;
            c.throttle.account_failures_per_hour = 100_000;
            c.throttle.client_failures_per_window = 100_000;
        })
        .await,
    );
    app.create_account(EMAIL, &[]).await;
    // The owner changes the password from attacker 0's device, which the change does not
    // forget: that attacker's log-ins stay on the one-call path after each change.
    let r = login_as(&app, 0, EMAIL, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let owner = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The attackers' devices known to the account before the race.
    for n in 1..ATTACKERS {
        assert_eq!(
            login_as(&app, n, EMAIL, PASSWORD).await.status(),
            StatusCode::CREATED
        );
    }
    let mut survivors = 0;
    let mut opened = 0;
    let mut late_events = Vec::new();
    for round in 0..ROUNDS {
        let (old, new) = if round % 2 == 0 {
            (PASSWORD, NEW_PASSWORD)
        } else {
            (NEW_PASSWORD, PASSWORD)
        };
        let stop = Arc::new(AtomicBool::new(false));
        let attackers: Vec<_> = (0..ATTACKERS)
            .map(|n| tokio::spawn(attacker(app.clone(), old, stop.clone(), n)))
            .collect();
        // Let log-ins get going, then change the password in their midst.
        tokio::time::sleep(std::time::Duration::from_millis(60 + 10 * round as u64)).await;
        let (status, body) = read(app.change_password(&owner, new_password(new)).await).await;
        assert_eq!(status, StatusCode::OK, "round {round}: {body}");
        stop.store(true, Ordering::Relaxed);
        let mut tokens = Vec::new();
        for a in attackers {
            tokens.extend(a.await.unwrap());
        }
        opened += tokens.len();
        for token in &tokens {
            if app.get("/v1/account", token).await.status() == StatusCode::OK {
                survivors += 1;
            }
        }
        // Newest first: nothing of the old password's sessions after the change.
        let (_, activity) = read(app.get("/v1/account/activity", &owner).await).await;
        let events = activity["events"].as_array().unwrap();
        let newer: Vec<&str> = events
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .take_while(|k| *k != "password_changed")
            .collect();
        late_events.extend(
            newer
                .iter()
                .filter(|k| !["login_failed", "logout"].contains(k))
                .map(|k| format!("round {round}: {k}")),
        );
        assert_eq!(
            app.login(EMAIL, old).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    println!(
        "{opened} sessions opened with the old password over {ROUNDS} rounds; {survivors} still valid after the change"
    );
    assert!(opened > ROUNDS, "the race never ran ({opened} sessions)");
    assert_eq!(
        survivors, 0,
        "sessions of the old password survived the change"
    );
    assert!(late_events.is_empty(), "{late_events:#?}");
}
