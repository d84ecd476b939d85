use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;
use time::macros::datetime;

use crate::helpers::*;

async fn refused_with(app: &TestApp, token: &str, new: &str, confirm: &str) -> Value {
    let before = app.row_counts().await;
    let (status, body) = read(
        app.change_password(
            token,
            json!({"new_password": new, "confirm_password": confirm}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "password_policy");
    assert_eq!(
        app.row_counts().await,
        before,
        "a refused change wrote something"
    );
    body
}

#[tokio::test]
async fn every_policy_rule_has_its_code() {
    let app = TestApp::spawn().await;
    app.create_account("lila.rosemonde@example.fr", &[]).await;
    let token = app.token("lila.rosemonde@example.fr", PASSWORD).await;
    let cases: &[(&str, &str)] = &[
        ("Court7abc", "too_short"),
        ("12345678901234567890123", "missing_letter"),
        ("Abcdefghijklmnopqrstuvwxyz", "missing_digit"),
        ("Vert7Citron4 Galop9Sable2", "contains_whitespace"),
        ("Vert7Citron4\u{202E}Galop9Sable2", "invalid_character"),
        ("Rosemonde20232370000001", "too_weak"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa1", "too_weak"),
        (PASSWORD, "same_as_current"),
    ];
    for (candidate, code) in cases {
        let body = refused_with(&app, &token, candidate, candidate).await;
        assert_eq!(
            body["error"]["fields"]["new_password"],
            json!([code]),
            "{candidate:?}"
        );
        assert!(body["error"]["message"].as_str().unwrap().len() > 20);
    }
    let long = format!("a1{}", "Zq9".repeat(50));
    let body = refused_with(&app, &token, &long, &long).await;
    assert_eq!(body["error"]["fields"]["new_password"], json!(["too_long"]));

    let body = refused_with(&app, &token, NEW_PASSWORD, "Orage5Pivoine8Fanal3Zest").await;
    assert_eq!(
        body["error"]["fields"]["confirm_password"],
        json!(["mismatch"])
    );
    assert!(body["error"]["fields"].get("new_password").is_none());

    // Several failures at once are all reported.
    let body = refused_with(&app, &token, "court", "autre").await;
    let codes = &body["error"]["fields"]["new_password"];
    assert_eq!(codes, &json!(["too_short", "missing_digit"]));
    assert_eq!(
        body["error"]["fields"]["confirm_password"],
        json!(["mismatch"])
    );
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn success_gives_validity_and_sends_the_guides_confirmation() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let (status, body) = read(app.change_to_new_password(&token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["valid_until"], "2026-08-24");
    assert_eq!(body["confirmation_sent_to"], "lila@example.fr");

    let mail = app.smtp.wait_for_count(1, MAIL_WAIT).await.remove(0);
    assert_eq!(mail.envelope_to, vec!["lila@example.fr".to_owned()]);
    assert_eq!(
        mail.subject,
        "Espace professionnel - Modification du mot de passe"
    );
    assert!(
        mail.body.contains(
            "Vous avez modifié votre mot de passe ; cette demande a bien été prise en compte."
        ),
        "{}",
        mail.body
    );
    assert!(
        mail.body
            .contains("Celui-ci est valable jusqu'au 24 août 2026.")
    );
    assert!(mail.body.contains("tentative d'hameçonnage"));
    assert!(!mail.raw.contains(NEW_PASSWORD));
    assert!(
        mail.header("Message-ID")
            .is_some_and(|id| id.contains("outbox-"))
    );
    // A MIME message (RFC 2045), written by a machine (RFC 3834: no out-of-office reply).
    assert_eq!(mail.header("MIME-Version"), Some("1.0"), "{}", mail.raw);
    assert_eq!(mail.header("Auto-Submitted"), Some("auto-generated"));

    app.expect_only_new_password("lila@example.fr", PASSWORD, NEW_PASSWORD)
        .await;
    let id = app
        .app()
        .services()
        .store
        .account_by_email_key("lila@example.fr")
        .await
        .unwrap()
        .unwrap()
        .id;
    let kinds = app.app().services().store.audit_kinds(id).await.unwrap();
    assert!(
        kinds.contains(&espace_pro_server::kinds::AuditKind::PasswordChanged),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn validity_date_arithmetic_across_leap_years() {
    for (now, expected) in [
        (datetime!(2024-02-29 10:00 UTC), "2027-02-28"),
        (datetime!(2025-03-01 10:00 UTC), "2028-02-29"),
        // Days are Paris days: 22:59 UTC is 23:59 in Paris, 23:00 UTC already the next day.
        (datetime!(2023-12-31 22:59 UTC), "2026-12-30"),
        (datetime!(2023-12-31 23:00 UTC), "2026-12-31"),
    ] {
        let app = TestApp::spawn().await;
        app.clock.set(now);
        let token = app.lila().await;
        let (status, body) = read(app.change_to_new_password(&token).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["valid_until"], expected, "changed at {now}");
    }
}

#[tokio::test]
async fn reauthentication_after_five_minutes() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    app.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    let body = new_password(NEW_PASSWORD);
    let (status, err) = read(app.change_password(&token, body.clone()).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&err), "reauthentication_required");
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["reauthentication_needed"], true);

    let mut wrong = body.clone();
    wrong["current_password"] = json!("Wrong7Citron4Galop9Sable2");
    let (status, err) = read(app.change_password(&token, wrong).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&err), "reauthentication_failed");

    let mut right = body.clone();
    right["current_password"] = json!(PASSWORD);
    let (status, ok) = read(app.change_password(&token, right).await).await;
    assert_eq!(status, StatusCode::OK, "{ok}");
}

#[tokio::test]
async fn within_five_minutes_no_current_password_is_needed() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    app.clock
        .advance(Duration::minutes(4) + Duration::seconds(59));
    let (status, _) = read(app.change_to_new_password(&token).await).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_change_revokes_every_other_session() {
    let app = TestApp::spawn().await;
    let other = app.lila().await;
    let mine = app.token("lila@example.fr", PASSWORD).await;
    let (status, _) = read(app.change_password(&mine, new_password(NEW_PASSWORD)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/v1/account", &other).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/v1/account", &mine).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn concurrent_changes_on_one_account_stay_consistent() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let candidates = [
        "Orage5Pivoine8Fanal3Zeste",
        "Brume4Tilleul7Cargo2Nacre",
        "Givre9Ocelot3Ruban6Cidre",
    ];
    let results =
        futures::future::join_all(candidates.iter().map(|p| {
            app.change_password(&token, json!({"new_password": p, "confirm_password": p}))
        }))
        .await;
    let ok = results
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    assert!(ok >= 1);
    for r in &results {
        assert!(
            r.status() == StatusCode::OK || r.status().is_client_error(),
            "{}",
            r.status()
        );
    }
    // Exactly one of the candidates is now the password, and one e-mail per accepted change.
    let mut working = 0;
    for p in candidates {
        if app.login("lila@example.fr", p).await.status() == StatusCode::CREATED {
            working += 1;
        }
    }
    assert_eq!(working, 1);
    app.smtp.wait_for_count(ok, MAIL_WAIT).await;
}
