use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Duration;

use crate::helpers::*;

const OLD: &str = "lila.rosemonde@example.fr";
const NEW: &str = "lila.rosemonde2@example.fr";

fn change(new: &str) -> Value {
    json!({"new_email": new, "confirm_email": new})
}

#[tokio::test]
async fn the_whole_change_of_address_from_the_received_email() {
    let app = TestApp::spawn().await;
    let number = app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;

    let (status, body) = read(app.request_email_change(&token, change(NEW)).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["sent_to"], NEW);
    assert_eq!(body["notice_sent_to"], OLD);
    assert_eq!(body["expires_at"], "2023-08-27T15:10:00Z");
    assert_eq!(body["with_new_password"], false);

    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["pending_email_change"]["new_email"], NEW);
    assert_eq!(
        home["pending_email_change"]["expires_at"],
        "2023-08-27T15:10:00Z"
    );
    assert_eq!(home["login_email"], OLD);

    // The activation e-mail (guide's subject and text) goes to the new address; a notice to the old.
    let code = app.activation_code(NEW, 1).await;
    assert_eq!(code.len(), 12);
    assert!(
        code.chars().any(|c| c.is_ascii_uppercase())
            || code.chars().any(|c| c.is_ascii_lowercase())
    );
    let mail = app
        .smtp
        .messages()
        .into_iter()
        .find(|m| m.subject == ACTIVATION_SUBJECT)
        .unwrap();
    assert!(
        mail.body
            .contains("Remarque : ce code n'est pas un mot de passe.")
    );
    assert!(mail.body.contains("48 h maximum"));
    let notice = app
        .smtp
        .wait_for(MAIL_WAIT, |m| m.envelope_to == [OLD.to_owned()])
        .await;
    assert!(notice.body.contains(NEW), "{}", notice.body);
    assert!(notice.body.contains("pas à l'origine"));
    assert!(
        !notice.body.contains(&code),
        "the old address must not get the code"
    );

    // Until activation only the old address logs in.
    assert_eq!(
        app.login(NEW, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login(OLD, PASSWORD).await.status(), StatusCode::CREATED);

    app.clock.advance(Duration::hours(3));
    let ticket = app.ticket(&code).await;
    let (status, summary) =
        read(app.complete(&ticket, "  LILA.rosemonde2@example.fr ").await).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["first_name"], "Lila");
    assert_eq!(summary["last_name"], "ROSEMONDE");
    assert_eq!(summary["subscriber_number"], number.as_str());
    assert_eq!(summary["login_email"], NEW);
    assert_eq!(summary["activated_on"], "2023-08-25");
    // Whoever holds the code (and the new mailbox) learns nothing the summary protects: the
    // answer, phone and address need the password (SPEC §3.1).
    for secret in ["security_answer", "security_question", "phone", "address"] {
        assert_eq!(summary.get(secret), None, "{secret} in {summary}");
    }
    for value in ["Paul", "0123456789", "Longchamp"] {
        assert!(!summary.to_string().contains(value), "{value} in {summary}");
    }

    // Every session is revoked; the old address is refused, the new one logs in.
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(OLD, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let token = app.token(NEW, PASSWORD).await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["login_email"], NEW);
    assert_eq!(home["subscriber_number"], number.as_str());
    assert_eq!(home["pending_email_change"], Value::Null);
    app.smtp
        .wait_for(MAIL_WAIT, |m| {
            m.envelope_to == [OLD.to_owned()] && m.subject.contains("modifiée")
        })
        .await;

    // Replay: the same code is refused with one clear code.
    let (status, body) = read(app.verify_code(&code).await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(error_code(&body), "code_expired");
    expect_error(
        app.complete(&ticket, NEW).await,
        StatusCode::GONE,
        "ticket_expired",
    )
    .await;
}

#[tokio::test]
async fn a_password_given_with_the_change_takes_effect_at_activation() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    let body = json!({"new_email": NEW, "confirm_email": NEW, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD});
    let (status, resp) = read(app.request_email_change(&token, body).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{resp}");
    assert_eq!(resp["with_new_password"], true);
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["pending_email_change"]["with_new_password"], true);

    // Not yet: the old password still works, the new one does not.
    assert_eq!(app.login(OLD, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(
        app.login(OLD, NEW_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    app.clock.set(time::macros::datetime!(2023-08-26 10:00 UTC));
    let code = app.activation_code(NEW, 1).await;
    let ticket = app.ticket(&code).await;
    assert_eq!(app.complete(&ticket, NEW).await.status(), StatusCode::OK);
    assert_eq!(
        app.login(NEW, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let token = app.token(NEW, NEW_PASSWORD).await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(
        home["password_expires_on"], "2026-08-25",
        "validity counts from activation"
    );
}

#[tokio::test]
async fn request_rules_each_with_its_code() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    app.create_account("taken@example.fr", &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    let before = app.row_counts().await;
    let long = format!("{}@example.fr", "a".repeat(90));
    assert_eq!(long.len(), 101);
    for (body, code, field, field_code) in [
        (
            change("not-an-address"),
            "invalid_email",
            "new_email",
            "invalid_email",
        ),
        (change(&long), "invalid_email", "new_email", "too_long"),
        (change(""), "invalid_email", "new_email", "required"),
        (
            json!({"new_email": NEW, "confirm_email": "lila.rosemonde3@example.fr"}),
            "email_mismatch",
            "confirm_email",
            "mismatch",
        ),
        (
            change("Lila.Rosemonde@example.fr"),
            "same_as_current_email",
            "new_email",
            "same_as_current",
        ),
        (
            json!({"new_email": NEW, "confirm_email": NEW, "new_password": "court1", "confirm_password": "court1"}),
            "password_policy",
            "new_password",
            "too_short",
        ),
        (
            json!({"new_email": NEW, "confirm_email": NEW, "new_password": PASSWORD, "confirm_password": PASSWORD}),
            "password_policy",
            "new_password",
            "same_as_current",
        ),
        (
            json!({"new_email": NEW, "confirm_email": NEW, "new_password": NEW_PASSWORD, "confirm_password": "x"}),
            "password_policy",
            "confirm_password",
            "mismatch",
        ),
    ] {
        let (status, err) = read(app.request_email_change(&token, body.clone()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_code(&err), code, "{body}");
        assert_eq!(
            err["error"]["fields"][field],
            json!([field_code]),
            "{body} → {err}"
        );
    }
    assert_eq!(app.row_counts().await, before);

    // The address of another account is not revealed at request time.
    let (status, _) = read(
        app.request_email_change(&token, change("taken@example.fr"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);

    app.clock.advance(Duration::minutes(6));
    let (status, err) = read(app.request_email_change(&token, change(NEW)).await).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::FORBIDDEN, "reauthentication_required")
    );
    let mut with_current = change(NEW);
    with_current["current_password"] = json!(PASSWORD);
    assert_eq!(
        app.request_email_change(&token, with_current)
            .await
            .status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn a_new_request_replaces_the_previous_one() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    app.request_email_change(&token, change(NEW)).await;
    let first = app.activation_code(NEW, 1).await;
    app.request_email_change(&token, change("autre@example.fr"))
        .await;
    let second = app.activation_code("autre@example.fr", 1).await;
    assert_ne!(first, second);
    expect_error(
        app.verify_code(&first).await,
        StatusCode::GONE,
        "code_expired",
    )
    .await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(
        home["pending_email_change"]["new_email"],
        "autre@example.fr"
    );
    let ticket = app.ticket(&second).await;
    assert_eq!(
        app.complete(&ticket, "autre@example.fr").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_pending_change_can_be_cancelled() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    app.request_email_change(&token, change(NEW)).await;
    let code = app.activation_code(NEW, 1).await;
    let cancel = || app.cancel_email_change(&token);
    // A stale session cannot cancel it (nor, silently, undo the owner's request).
    app.clock.advance(Duration::minutes(6));
    expect_error(
        cancel().await,
        StatusCode::FORBIDDEN,
        "reauthentication_required",
    )
    .await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["pending_email_change"]["new_email"], NEW);
    let reauth = app.reauthenticate(&token, PASSWORD).await;
    assert_eq!(reauth.status(), StatusCode::NO_CONTENT);
    assert_eq!(cancel().await.status(), StatusCode::NO_CONTENT);
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["pending_email_change"], Value::Null);
    // The login address is told, with the address that was asked for.
    let told = app
        .smtp
        .wait_for(MAIL_WAIT, |m| {
            m.envelope_to == [OLD.to_owned()] && m.subject.ends_with("annulée")
        })
        .await;
    assert!(told.body.contains(NEW), "{}", told.body);
    assert!(told.body.contains("a été annulée"), "{}", told.body);
    expect_error(
        app.verify_code(&code).await,
        StatusCode::GONE,
        "code_expired",
    )
    .await;
    expect_error(cancel().await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_code_works_47h59_and_not_48h01_after_the_request() {
    for (after, works) in [
        (Duration::hours(47) + Duration::minutes(59), true),
        (Duration::hours(48) + Duration::minutes(1), false),
    ] {
        let app = TestApp::spawn().await;
        app.create_account(OLD, &[]).await;
        let token = app.token(OLD, PASSWORD).await;
        app.request_email_change(&token, change(NEW)).await;
        let code = app.activation_code(NEW, 1).await;
        app.clock.advance(after);
        let (status, body) = read(app.verify_code(&code).await).await;
        if works {
            assert_eq!(status, StatusCode::OK, "{body}");
        } else {
            assert_eq!(
                (status, error_code(&body)),
                (StatusCode::GONE, "code_expired")
            );
            // The expired change is no longer shown as pending either.
            let token = app.token(OLD, PASSWORD).await;
            let (_, home) = read(app.get("/v1/account", &token).await).await;
            assert_eq!(home["pending_email_change"], Value::Null);
        }
    }
}

#[tokio::test]
async fn five_wrong_addresses_void_the_change() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    app.request_email_change(&token, change(NEW)).await;
    let code = app.activation_code(NEW, 1).await;
    let ticket = app.ticket(&code).await;
    for left in (1..=4).rev() {
        let body = expect_error(
            app.complete(&ticket, "wrong@example.fr").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "email_mismatch",
        )
        .await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("({left} essai")),
            "{body}"
        );
    }
    expect_error(
        app.complete(&ticket, OLD).await,
        StatusCode::GONE,
        "code_locked",
    )
    .await;
    expect_error(
        app.complete(&ticket, NEW).await,
        StatusCode::GONE,
        "code_locked",
    )
    .await;
    expect_error(
        app.verify_code(&code).await,
        StatusCode::GONE,
        "code_locked",
    )
    .await;
    assert_eq!(
        app.login(NEW, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login(OLD, PASSWORD).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_completions_with_one_code_exactly_one_wins() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    app.request_email_change(&token, change(NEW)).await;
    let code = app.activation_code(NEW, 1).await;
    let tickets = [
        app.ticket(&code).await,
        app.ticket(&code).await,
        app.ticket(&code).await,
    ];
    let results = futures::future::join_all(tickets.iter().map(|t| app.complete(t, NEW))).await;
    let statuses: Vec<StatusCode> = results.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::GONE),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_address_taken_meanwhile_fails_cleanly_at_activation() {
    let app = TestApp::spawn().await;
    app.create_account(OLD, &[]).await;
    let token = app.token(OLD, PASSWORD).await;
    app.request_email_change(&token, change(NEW)).await;
    let code = app.activation_code(NEW, 1).await;
    app.create_account(NEW, &[]).await;
    let ticket = app.ticket(&code).await;
    let before = app.row_counts().await;
    expect_error(
        app.complete(&ticket, NEW).await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
    assert_eq!(app.row_counts().await, before);
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::OK,
        "nothing revoked"
    );
    assert_eq!(app.login(OLD, PASSWORD).await.status(), StatusCode::CREATED);
}
