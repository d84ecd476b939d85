use std::time::Duration;

use espace_pro_testkit::{SmtpListener, reserve_port};
use reqwest::StatusCode;

use crate::helpers::*;

async fn app_with_smtp_down() -> (TestApp, u16) {
    let port = reserve_port();
    let app = TestApp::spawn_with(|c| {
        c.mail = espace_pro_server::config::MailTransportConfig::Smtp(
            espace_pro_server::mail::RelayAddress::loopback(port),
        )
    })
    .await;
    (app, port)
}

async fn change(app: &TestApp) {
    let token = app.lila().await;
    let r = app.change_to_new_password(&token).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn unsent(app: &TestApp) -> i64 {
    app.app()
        .services()
        .store
        .unsent_mail_count()
        .await
        .unwrap()
}

/// The relay has the message a moment before the worker records that it does.
async fn wait_all_sent(app: &TestApp) {
    for _ in 0..100 {
        if unsent(app).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("outbox still has unsent messages");
}

/// A relay that accepts the connection and never greets, then is fixed: the stalled attempt
/// gives up after its 15 s and the next one (2 s later) delivers, well within 45 s of the fix.
#[tokio::test]
async fn mail_resumes_after_a_relay_that_stalled_its_greeting() {
    let (app, port) = app_with_smtp_down().await;
    let staller = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    change(&app).await;
    // The worker connects; the relay holds the connection, silent, then stops listening.
    let (conn, _) = staller.accept().await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(staller);
    let fixed = std::time::Instant::now();
    let relay = SmtpListener::start_on(port).await.unwrap();
    relay.wait_for_count(1, Duration::from_secs(45)).await;
    eprintln!(
        "delivered {:.1} s after the relay was fixed",
        fixed.elapsed().as_secs_f64()
    );
    drop(conn);
    wait_all_sent(&app).await;
    assert_eq!(relay.messages().len(), 1);
}

/// A relay that starts late gets the mail at the worker's next attempt: at most its longest
/// wait between attempts (30 s), plus room for a loaded machine. With 20 s, a run where the
/// relay came up just after the fourth failed attempt missed it.
const LATE_RELAY_WAIT: Duration = Duration::from_secs(45);

#[tokio::test]
async fn mail_waits_for_a_relay_that_starts_late() {
    let (app, port) = app_with_smtp_down().await;
    change(&app).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        unsent(&app).await,
        1,
        "the message stays queued while the relay is down"
    );

    let late = SmtpListener::start_on(port).await.unwrap();
    let mail = late.wait_for_count(1, LATE_RELAY_WAIT).await.remove(0);
    assert_eq!(
        mail.subject,
        "Espace professionnel - Modification du mot de passe"
    );
    wait_all_sent(&app).await;
    // Nothing is sent twice once accepted.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(late.messages().len(), 1);
}

#[tokio::test]
async fn mail_survives_a_restart() {
    let (app, port) = app_with_smtp_down().await;
    change(&app).await;
    let app = app.restart().await;
    assert_eq!(unsent(&app).await, 1);
    let late = SmtpListener::start_on(port).await.unwrap();
    // Within the relay's wait, not a claim's lease (45 s): the stopped worker gave back what it
    // had claimed. CI once saw no mail within 45 s here, when the worker could stop while its
    // claim was on its way to the database, and the claim landed after the give-back.
    let mail = late.wait_for_count(1, LATE_RELAY_WAIT).await.remove(0);
    assert!(mail.body.contains("24 août 2026"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(late.messages().len(), 1);
}

#[tokio::test]
async fn delivered_bodies_are_erased_from_the_outbox() {
    let app = TestApp::spawn().await;
    change(&app).await;
    app.smtp.wait_for_count(1, MAIL_WAIT).await;
    wait_all_sent(&app).await;
    let bodies = app.app().services().store.outbox_bodies().await.unwrap();
    assert_eq!(bodies, [""]);
}

#[tokio::test]
async fn mail_is_sent_promptly_when_the_relay_is_up() {
    let app = TestApp::spawn().await;
    change(&app).await;
    let started = std::time::Instant::now();
    app.smtp.wait_for_count(1, MAIL_WAIT).await;
    // Woken by notification, not by a poll: well under the worker's idle period (60 s).
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// The metrics after real traffic: the request histogram of a route moves, log-ins queue for a
/// hashing slot, and the age of the oldest unsent e-mail rises while the relay is down, then
/// falls to 0 once it is back.
#[tokio::test]
async fn metrics_follow_real_traffic_and_a_relay_outage() {
    let port = reserve_port();
    let app = TestApp::spawn_with(|c| {
        c.mail = espace_pro_server::config::MailTransportConfig::Smtp(
            espace_pro_server::mail::RelayAddress::loopback(port),
        );
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let value = |text: &str, series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{series} not in:\n{text}"))
    };
    let count =
        "espace_pro_http_request_duration_seconds_count{route=\"/v1/service-info\",class=\"2xx\"}";
    let before = app.metrics().await;
    assert!(!before.contains(count), "{before}");
    for _ in 0..3 {
        let r = app.send(Method::GET, "/v1/service-info").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app.send(Method::GET, "/nulle/part/42").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    change(&app).await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let during = app.metrics().await;
    assert_eq!(value(&during, count), 3.0);
    assert!(
        during.contains(
            "espace_pro_http_request_duration_seconds_count{route=\"unmatched\",class=\"4xx\"} 1"
        ),
        "{during}"
    );
    assert!(
        !during.contains("nulle"),
        "a stray path made its own series"
    );
    assert!(value(&during, "espace_pro_password_hash_wait_seconds_count") >= 2.0);
    assert_eq!(value(&during, "espace_pro_outbox_unsent"), 1.0);
    let age = value(&during, "espace_pro_outbox_oldest_unsent_age_seconds");
    assert!(age >= 2.0, "age {age} while the relay is down");
    assert!(
        value(
            &during,
            "espace_pro_mail_delivery_attempts_total{result=\"failed\"}"
        ) >= 1.0
    );

    let relay = SmtpListener::start_on(port).await.unwrap();
    relay.wait_for_count(1, Duration::from_secs(45)).await;
    wait_all_sent(&app).await;
    let after = app.metrics().await;
    assert_eq!(value(&after, "espace_pro_outbox_unsent"), 0.0);
    assert_eq!(
        value(&after, "espace_pro_outbox_oldest_unsent_age_seconds"),
        0.0
    );
    assert_eq!(
        value(
            &after,
            "espace_pro_mail_delivery_attempts_total{result=\"sent\"}"
        ),
        1.0
    );
}
