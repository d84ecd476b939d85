//! A log-in that got in, in one call on PostgreSQL (`Store::try_open_session`,
//! `espace_pro_open_session`): it opens the session only for the credentials it was given and a
//! device the account knows; credentials changed meanwhile, a device it does not know or a
//! second factor leave it to the general path (a transaction), with nothing written. SQLite has
//! no such call: the general path always runs.

use std::net::{IpAddr, Ipv4Addr};

use espace_pro_server::crypto::token_hash;
use espace_pro_server::kinds::AuditKind;
use espace_pro_server::store::{AuditEvent, Guard, OpenedAtOnce, SessionRow, Store, ts};
use espace_pro_server::throttle::client_subject;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const EMAIL: &str = "lila@example.fr";
const DEVICE: &str = "poste-connu-0001";
const TOKEN: &str = "jeton-de-la-session-ouverte-en-un-appel";

#[tokio::test]
async fn one_call_opens_for_unchanged_credentials_and_a_known_device_only() {
    let app = TestApp::spawn().await;
    app.create_account(EMAIL, &[]).await;
    let known = app
        .post(
            "/v1/sessions",
            json!({"email": EMAIL, "password": PASSWORD, "device_id": DEVICE}),
        )
        .await;
    assert_eq!(known.status(), StatusCode::CREATED);
    let svc = app.app().services();
    let store = &svc.store;
    let account = store.account_by_email_key(EMAIL).await.unwrap().unwrap();
    let subject = svc.throttle.email_subject(&account.login_email_key);
    let guards = [Guard::Account(account.id), Guard::Subject(&subject)];
    let now = svc.now();
    let client = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let row = |device: &str| SessionRow {
        token_hash: token_hash(TOKEN),
        account_id: account.id,
        created_at: ts(now),
        last_seen_at: ts(now),
        auth_time: ts(now),
        expires_at: ts(now) + 3600,
        revoked_at: None,
        password_only: false,
        public_id: "0123456789abcdef0123456789abcdef".into(),
        device_name: Some("Poste de Lila".into()),
        client_ip: Some(client.to_string()),
        device_hash: Some(token_hash(device)),
    };
    let event = AuditEvent::new(account.id, AuditKind::Login, now)
        .from(client)
        .detail("Poste de Lila");
    let open = |hash: &str, device: &str| {
        let (hash, row, event) = (hash.to_owned(), row(device), event.clone());
        let (guards, subject, key) = (guards, subject.clone(), account.login_email_key.clone());
        async move {
            store
                .try_open_session(&guards, &hash, &key, &[], &subject, &row, &event)
                .await
                .unwrap()
        }
    };
    let before = app.row_counts().await;
    // Another password hash than the account's (a change committed since it was verified).
    let changed = open("$argon2id$v=19$m=19456,t=2,p=1$autre$autre", DEVICE).await;
    // A device the account never used: the general path tells it by e-mail.
    let unknown = open(&account.password_hash, "poste-inconnu-0002").await;
    assert_eq!(app.row_counts().await, before, "written without opening");
    assert_eq!(
        app.get("/v1/account", TOKEN).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let opened = open(&account.password_hash, DEVICE).await;
    if on_postgres() {
        assert_eq!(changed, Some(OpenedAtOnce::Changed));
        assert_eq!(unknown, None);
        assert_eq!(opened, Some(OpenedAtOnce::Opened));
        assert_eq!(app.get("/v1/account", TOKEN).await.status(), StatusCode::OK);
        // Its audit line, with the device's name.
        let (_, activity) = read(app.get("/v1/account/activity", TOKEN).await).await;
        let first = &activity["events"][0];
        assert_eq!(first["kind"], "login", "{activity}");
    } else {
        assert_eq!((changed, unknown, opened), (None, None, None));
        assert_eq!(app.row_counts().await, before);
    }
}

/// Getting in forgets every event of the address, its attempts still in flight too: requests
/// dropped before they settled (their client gone) stay in flight until their lease ends, and
/// would otherwise hold the address's places (a version that kept them made the bench's
/// log-ins wait, then refused them). On both paths.
#[tokio::test]
async fn getting_in_forgets_the_addresss_attempts_left_in_flight() {
    let app = TestApp::spawn().await;
    app.create_account(EMAIL, &[]).await;
    let from_device = json!({"email": EMAIL, "password": PASSWORD, "device_id": DEVICE});
    assert_eq!(
        app.post("/v1/sessions", from_device.clone()).await.status(),
        StatusCode::CREATED
    );
    let svc = app.app().services();
    let by_email = svc.throttle.email_subject(EMAIL);
    let by_client = client_subject(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9)));
    for owner in [from_device, json!({"email": EMAIL, "password": PASSWORD})] {
        // An attempt whose request was dropped: never settled.
        let dropped = svc
            .throttle
            .reserve_attempt(&by_email, &by_client, false)
            .await
            .unwrap()
            .expect("the attempt is let through");
        let _never_settled = dropped.into_ids();
        assert_eq!(
            app.post("/v1/sessions", owner.clone()).await.status(),
            StatusCode::CREATED
        );
        let mut tx = svc.store.begin().await.unwrap();
        let [stats] = Store::failure_stats_of(&mut tx, [(by_email.as_str(), 0)], 0)
            .await
            .unwrap();
        assert_eq!((stats.count, stats.in_flight), (0, 0), "after {owner}");
    }
}

/// On PostgreSQL, the log-in's two functions run their statements as index scans (the
/// throttling index stays small) with plans made once per connection (migration 0008).
#[tokio::test]
async fn the_log_in_functions_keep_their_plans_and_index_scans() {
    use sqlx::Connection as _;
    if !on_postgres() {
        return;
    }
    let app = TestApp::spawn().await;
    let mut conn = sqlx::PgConnection::connect(&app.config.database)
        .await
        .unwrap();
    for function in ["espace_pro_reserve", "espace_pro_open_session"] {
        let settings: Vec<String> =
            sqlx::query_scalar("SELECT unnest(proconfig) FROM pg_proc WHERE proname = $1")
                .bind(function)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for wanted in [
            "enable_seqscan=off",
            "enable_bitmapscan=off",
            "plan_cache_mode=force_generic_plan",
        ] {
            assert!(
                settings.iter().any(|s| s == wanted),
                "{function} runs without {wanted}: {settings:?}"
            );
        }
    }
}
