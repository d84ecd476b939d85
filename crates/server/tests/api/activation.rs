//! CAPTCHA and code-attempt rules of activation.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::json;
use time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn a_captcha_is_an_image_and_a_sound() {
    let app = TestApp::spawn().await;
    let (status, body) = read(app.send(Method::POST, "/v1/captchas").await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["length"], 6);
    let png = STANDARD
        .decode(body["image_png"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let wav = STANDARD
        .decode(body["audio_wav"].as_str().unwrap())
        .unwrap();
    assert!(wav.starts_with(b"RIFF") && &wav[8..12] == b"WAVE");
    assert!(
        wav.len() > 22_050 * 2 * 3,
        "six letters with pauses last more than 3 s"
    );
    assert_eq!(body["expires_at"], "2023-08-25T15:20:00Z");
}

async fn code_for(app: &TestApp) -> String {
    let token = app.lila().await;
    app.request_email_change(
        &token,
        json!({"new_email": "new@example.fr", "confirm_email": "new@example.fr"}),
    )
    .await;
    app.activation_code("new@example.fr", 1).await
}

#[tokio::test]
async fn every_code_attempt_needs_a_fresh_solved_captcha() {
    let app = TestApp::spawn().await;
    let code = code_for(&app).await;
    let attempt = |captcha_id: String, answer: &'static str| {
        app.post(
            "/v1/activations/verify-code",
            json!({"code": code, "captcha_id": captcha_id, "captcha_answer": answer}),
        )
    };
    // Wrong answer, unknown id.
    expect_error(
        attempt(app.captcha_id().await, "zzzzzz").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_captcha",
    )
    .await;
    expect_error(
        attempt("0123456789abcdef".into(), CAPTCHA_TEST_ANSWER).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_captcha",
    )
    .await;
    // Single use: a solved CAPTCHA cannot serve twice.
    let id = app.captcha_id().await;
    assert_eq!(
        attempt(id.clone(), CAPTCHA_TEST_ANSWER).await.status(),
        StatusCode::OK
    );
    expect_error(
        attempt(id, CAPTCHA_TEST_ANSWER).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_captcha",
    )
    .await;
    // Short-lived: ten minutes.
    let id = app.captcha_id().await;
    app.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    expect_error(
        attempt(id, CAPTCHA_TEST_ANSWER).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_captcha",
    )
    .await;
}

#[tokio::test]
async fn the_real_answer_is_checked_against_its_keyed_hash() {
    let app = TestApp::spawn_with(|c| c.captcha_test_answer = None).await;
    let svc = app.app().services();
    let expires = (svc.now() + Duration::minutes(5)).unix_timestamp();
    svc.store
        .insert_captcha("known", &svc.key.code_hash("captcha", "xkcdqp"), expires)
        .await
        .unwrap();
    svc.store
        .insert_captcha("known2", &svc.key.code_hash("captcha", "xkcdqp"), expires)
        .await
        .unwrap();
    assert!(
        !espace_pro_server::captcha::solve(svc, "known", CAPTCHA_TEST_ANSWER)
            .await
            .unwrap()
    );
    assert!(
        espace_pro_server::captcha::solve(svc, "known2", " XKCDqp ")
            .await
            .unwrap()
    );
    assert!(
        !espace_pro_server::captcha::solve(svc, "known2", "xkcdqp")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_client() {
    let app = TestApp::spawn().await;
    let code = code_for(&app).await;
    for bad in [
        "AAAAAAAAAAAA",
        "short",
        "BBBBBBBBBBBB",
        "CCCCCCCCCCCC",
        "DDDDDDDDDDDD",
    ] {
        let (status, body) = read(app.verify_code(bad).await).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"),
            "{bad}"
        );
    }
    for _ in 0..5 {
        app.verify_code("EEEEEEEEEEEE").await;
    }
    let r = app.verify_code(&code).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    app.clock.advance(Duration::minutes(15));
    assert_eq!(app.verify_code(&code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn captchas_per_client_are_limited() {
    let app = TestApp::spawn_with(|c| c.throttle.captchas_per_window = 3).await;
    for _ in 0..3 {
        app.captcha_id().await;
    }
    let r = app.send(Method::POST, "/v1/captchas").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
