use reqwest::StatusCode;
use time::Duration;

use crate::helpers::*;

const WRONG: &str = "Wrong7Citron4Galop9Sable2";

/// After five failures the address needs a CAPTCHA for a while (growing delay): without one the
/// answer is 403 `captcha_required`, for the right password too, and alike for unknown
/// addresses. With one solved, the attempt is evaluated: the owner gets in, wrong guesses count.
#[tokio::test]
async fn growing_delay_after_five_failures_same_for_unknown_addresses() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    for email in ["lila@example.fr", "nobody@example.fr"] {
        for _ in 0..5 {
            assert_eq!(
                app.login(email, WRONG).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let (status, body) = read(app.login(email, WRONG).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(error_code(&body), "captcha_required");
        assert_eq!(body["error"]["fields"]["captcha_answer"][0], "required");
        if email == "lila@example.fr" {
            assert_eq!(
                app.login(email, PASSWORD).await.status(),
                StatusCode::FORBIDDEN,
                "no attempt is evaluated without the CAPTCHA"
            );
            // Refused attempts, sent together, change nothing (nothing counted, nothing
            // written): the limit is judged before anything is counted.
            let before = app.row_counts().await;
            let refused = futures::future::join_all((0..12).map(|_| app.login(email, WRONG))).await;
            assert!(
                refused.iter().all(|r| r.status() == StatusCode::FORBIDDEN),
                "{:?}",
                refused.iter().map(|r| r.status()).collect::<Vec<_>>()
            );
            assert_eq!(app.row_counts().await, before);
        }
        // A wrong guess with a CAPTCHA is evaluated, and counted.
        assert_eq!(
            app.login_with_captcha(email, WRONG).await.status(),
            StatusCode::UNAUTHORIZED
        );
        // The delay grows: 1 s after the fifth failure, 2 s after the sixth.
        app.clock.advance(Duration::seconds(1));
        assert_eq!(
            app.login(email, WRONG).await.status(),
            StatusCode::FORBIDDEN
        );
        app.clock.advance(Duration::seconds(1));
        assert_eq!(
            app.login(email, WRONG).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login(email, WRONG).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // The owner gets in with a CAPTCHA, whatever the guesses.
    app.expect_captcha_login("lila@example.fr", PASSWORD).await;
    // A success clears the count.
    assert_eq!(
        app.login("lila@example.fr", WRONG).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A wrong CAPTCHA is refused as such, and the attempt is not evaluated.
    let captcha = app.captcha_id().await;
    expect_error(
        app.post(
            "/v1/sessions",
            serde_json::json!({"email": "lila@example.fr", "password": PASSWORD,
                "captcha_id": captcha, "captcha_answer": "zzzzzz"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_captcha",
    )
    .await;
}

#[tokio::test]
async fn at_most_100_failures_an_hour_per_address() {
    let app = TestApp::spawn_with(|c| {
        c.throttle.max_delay = std::time::Duration::from_secs(1);
        c.throttle.client_failures_per_window = 1000;
    })
    .await;
    app.create_account("lila@example.fr", &[]).await;
    for failures in 0..100 {
        let status = app.login("lila@example.fr", WRONG).await.status();
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "after {failures} failures"
        );
        app.clock.advance(Duration::seconds(1));
    }
    expect_error(
        app.login("lila@example.fr", WRONG).await,
        StatusCode::FORBIDDEN,
        "captcha_required",
    )
    .await;
    // The owner is not locked out by the cap: with a CAPTCHA, the right password gets in.
    app.expect_captcha_login("lila@example.fr", PASSWORD).await;
}

#[tokio::test]
async fn one_client_cannot_spray_many_addresses() {
    let app = TestApp::spawn_with(|c| c.throttle.client_failures_per_window = 10).await;
    app.create_account("lila@example.fr", &[]).await;
    for i in 0..10 {
        let status = app
            .login(&format!("guess{i}@example.fr"), WRONG)
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let r = app.login("lila@example.fr", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "900");
    app.clock.advance(Duration::minutes(15));
    assert_eq!(
        app.login("lila@example.fr", PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_log_ins() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let body = |current: &str| serde_json::json!({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "current_password": current});
    for _ in 0..5 {
        assert_eq!(
            app.change_password(&token, body(WRONG)).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        app.change_password(&token, body(PASSWORD)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
