use reqwest::StatusCode;
use time::Duration;

use crate::helpers::*;

const WRONG: &str = "Wrong7Citron4Galop9Sable2";

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
        let r = app.login(email, WRONG).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(retry, 1);
        let (_, body) = read(r).await;
        assert_eq!(error_code(&body), "too_many_attempts");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Réessayez dans 1 seconde.")
        );
        // The right password is refused too while throttled: guessing cannot go faster.
        if email == "lila@example.fr" {
            assert_eq!(
                app.login(email, PASSWORD).await.status(),
                StatusCode::TOO_MANY_REQUESTS
            );
        }
        app.clock.advance(Duration::seconds(1));
        assert_eq!(
            app.login(email, WRONG).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let r = app.login(email, WRONG).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()["retry-after"], "2");
    }
    app.clock.advance(Duration::seconds(2));
    assert_eq!(
        app.login("lila@example.fr", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    // A success clears the count.
    assert_eq!(
        app.login("lila@example.fr", WRONG).await.status(),
        StatusCode::UNAUTHORIZED
    );
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
    let r = app.login("lila@example.fr", WRONG).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 3600 - 100);
    app.clock.advance(Duration::seconds(retry));
    assert_eq!(
        app.login("lila@example.fr", PASSWORD).await.status(),
        StatusCode::CREATED
    );
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
    app.create_account("lila@example.fr", &[]).await;
    let token = app.token("lila@example.fr", PASSWORD).await;
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
