use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration as StdDuration;
use time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn forgotten_password_from_the_received_code() {
    let app = TestApp::spawn().await;
    let old_session = app.lila().await;

    // Known and unknown addresses answer alike.
    let known = read(
        app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
            .await,
    )
    .await;
    let unknown = read(
        app.post(
            "/v1/password-recovery",
            json!({"email": "nobody@example.fr"}),
        )
        .await,
    )
    .await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(known, unknown);

    let code = recovery_code(&app, "lila@example.fr").await;
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert!(
        app.smtp
            .messages()
            .iter()
            .all(|m| m.envelope_to != ["nobody@example.fr".to_owned()])
    );

    // The code is tied to the address; the refusal speaks of the recovery, not of an activation.
    let refused = expect_error(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "other@example.fr", "code": code}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_code",
    )
    .await;
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Mot de passe oublié") && !message.contains("activation"),
        "{message}"
    );
    let (status, body) = read(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["security_question"],
        "Le prénom de votre conjoint(e) ?"
    );
    // The meter's context: the words the service checks a new password against.
    let words: Vec<&str> = body["password_context"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    for expected in ["lila", "rosemonde"] {
        assert!(words.contains(&expected), "{words:?}");
    }
    assert!(
        words
            .iter()
            .any(|w| w.len() == 14 && w.bytes().all(|b| b.is_ascii_digit())),
        "{words:?}"
    );
    let ticket = body["ticket"].as_str().unwrap().to_owned();

    let complete = |answer: &str, password: &str| {
        app.post(
            "/v1/password-recovery/complete",
            json!({"ticket": ticket, "security_answer": answer, "new_password": password, "confirm_password": password}),
        )
    };
    expect_error(
        complete("Pierre", NEW_PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_security_answer",
    )
    .await;
    expect_error(
        complete("  paul ", "court1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "password_policy",
    )
    .await;
    let (status, body) = read(complete("  paul ", NEW_PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["valid_until"], "2026-08-24");

    assert_eq!(
        app.get("/v1/account", &old_session).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.expect_only_new_password("lila@example.fr", PASSWORD, NEW_PASSWORD)
        .await;
    app.smtp
        .wait_for(MAIL_WAIT, |m| {
            m.subject == "Espace professionnel - Modification du mot de passe"
        })
        .await;
    // Once used, the code and the ticket are spent.
    expect_error(
        complete("paul", "Givre9Ocelot3Ruban6Cidre").await,
        StatusCode::GONE,
        "ticket_expired",
    )
    .await;
    expect_error(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
        StatusCode::GONE,
        "code_expired",
    )
    .await;
}

#[tokio::test]
async fn five_wrong_answers_void_the_code() {
    let app = TestApp::spawn_with(|c| c.throttle.free_failures = 10).await;
    app.create_account("lila@example.fr", &[]).await;
    app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
        .await;
    let code = recovery_code(&app, "lila@example.fr").await;
    let (_, body) = read(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
    )
    .await;
    let ticket = body["ticket"].as_str().unwrap().to_owned();
    let attempt = || {
        app.post(
            "/v1/password-recovery/complete",
            json!({"ticket": ticket, "security_answer": "Jacques", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
        )
    };
    for _ in 0..5 {
        expect_error(
            attempt().await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_security_answer",
        )
        .await;
    }
    // Locked: even the right answer now gets the same answer as a wrong one…
    let right = app
        .post(
            "/v1/password-recovery/complete",
            json!({"ticket": ticket, "security_answer": "Paul", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
        )
        .await;
    expect_error(
        right,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_security_answer",
    )
    .await;
    // …and the code itself says it is void, and how to get another.
    let locked = expect_error(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
        StatusCode::GONE,
        "code_locked",
    )
    .await;
    let message = locked["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("réponses erronées") && message.contains("« Mot de passe oublié »"),
        "{message}"
    );
    assert_eq!(
        app.login("lila@example.fr", PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_recovery_code_lasts_one_hour() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
        .await;
    let code = recovery_code(&app, "lila@example.fr").await;
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let expired = expect_error(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
        StatusCode::GONE,
        "code_expired",
    )
    .await;
    let message = expired["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("60 minutes")
            && !message.contains("48")
            && !message.contains("activation"),
        "{message}"
    );
}

#[tokio::test]
async fn after_a_change_of_address_the_old_one_gets_no_recovery_code() {
    let app = TestApp::spawn().await;
    app.create_account("old@example.fr", &[]).await;
    let token = app.token("old@example.fr", PASSWORD).await;
    app.request_email_change(
        &token,
        json!({"new_email": "new@example.fr", "confirm_email": "new@example.fr"}),
    )
    .await;
    let code = app.activation_code("new@example.fr", 1).await;
    let ticket = app.ticket(&code).await;
    assert_eq!(
        app.complete(&ticket, "new@example.fr").await.status(),
        StatusCode::OK
    );
    app.smtp
        .wait_for(MAIL_WAIT, |m| m.subject.contains("modifiée"))
        .await;
    let sent_before = app.smtp.messages().len();

    assert_eq!(
        app.post("/v1/password-recovery", json!({"email": "old@example.fr"}))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(app.smtp.messages().len(), sent_before);
    assert_eq!(
        app.post("/v1/password-recovery", json!({"email": "new@example.fr"}))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    recovery_code(&app, "new@example.fr").await;
}

#[tokio::test]
async fn recovery_mails_per_address_are_limited_silently() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    for _ in 0..5 {
        assert_eq!(
            app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
                .await
                .status(),
            StatusCode::ACCEPTED
        );
        // Past the minutes a code sent is kept instead of replaced.
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        app.clock.advance(Duration::minutes(11));
    }
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    let codes = app
        .smtp
        .messages()
        .into_iter()
        .filter(|m| m.subject == RECOVERY_SUBJECT)
        .map(|m| m.header("Message-ID").unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(codes.len(), 3, "{codes:?}");
}

/// Review: someone else asking for a recovery of the owner's address voided the code the owner
/// had just received (each request replaced the pending code), and used up the address's three
/// mails an hour. Now a code sent in the last ten minutes stays the one that works, and each
/// client has its own budget of mails to an address.
#[tokio::test]
async fn someone_else_cannot_void_the_owners_code_nor_use_up_their_mails() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let stranger = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let stranger_asks = || async {
        let r = stranger
            .post(app.url("/v1/password-recovery"))
            .json(&json!({"email": "lila@example.fr"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    };
    app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
        .await;
    let code = recovery_code(&app, "lila@example.fr").await;
    app.clock.advance(Duration::minutes(2));
    stranger_asks().await;
    // The request is handled after its answer: give it the time to run.
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let (status, body) = read(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": "lila@example.fr", "code": code}),
        )
        .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner's code was voided: {body}"
    );

    // The stranger's own budget: three requests an hour (the first sent nothing), spaced past
    // the ten minutes.
    for _ in 0..4 {
        app.clock.advance(Duration::minutes(11));
        stranger_asks().await;
        tokio::time::sleep(StdDuration::from_millis(300)).await;
    }
    let sent = || {
        app.smtp
            .messages()
            .into_iter()
            .filter(|m| m.subject == RECOVERY_SUBJECT)
            .count()
    };
    assert_eq!(
        sent(),
        1 + 2,
        "the stranger's requests sent more than its budget"
    );
    // The owner still gets a code: the stranger did not use up the address's mails.
    app.clock.advance(Duration::minutes(11));
    app.post("/v1/password-recovery", json!({"email": "lila@example.fr"}))
        .await;
    app.smtp.wait_for_count(4, MAIL_WAIT).await;
    assert_eq!(sent(), 4);
}
