use reqwest::StatusCode;
use serde_json::Value;
use time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn log_in_gives_a_token_with_its_limits() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let (status, body) = read(app.login("lila@example.fr", PASSWORD).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        body["token"].as_str().unwrap().len() >= 43,
        "≥ 256-bit token"
    );
    assert_eq!(body["expires_at"], "2023-08-26T03:10:00Z");
    assert_eq!(body["idle_expires_at"], "2023-08-25T15:40:00Z");
    assert_eq!(body["must_change_password"], false);
}

#[tokio::test]
async fn wrong_password_and_unknown_address_answer_alike() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let (s1, b1) = read(
        app.login("lila@example.fr", "Wrong7Citron4Galop9Sable2")
            .await,
    )
    .await;
    let (s2, b2) = read(
        app.login("nobody@example.fr", "Wrong7Citron4Galop9Sable2")
            .await,
    )
    .await;
    let (s3, b3) = read(app.login("not an address", "x").await).await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!((s1, &b1), (s3, &b3));
    assert_eq!(error_code(&b1), "invalid_credentials");
}

#[tokio::test]
async fn unknown_addresses_cost_a_hash_verification_too() {
    // With the production Argon2 cost the hash dominates the request; an unknown address must
    // take about as long as a known one.
    let app =
        TestApp::spawn_with(|c| c.argon2 = espace_pro_server::config::Argon2Config::default())
            .await;
    app.create_account("lila@example.fr", &[]).await;
    // Alternate the two, each going first in turn (the first request after the clock moves
    // is not the second's equal), so that whatever else the machine does weighs on both alike.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..8 {
        let mut pair = [
            ("lila@example.fr", &mut known),
            ("nobody@example.fr", &mut unknown),
        ];
        if round % 2 == 1 {
            pair.reverse();
        }
        for (email, times) in pair {
            let t = std::time::Instant::now();
            app.login(email, "Wrong7Citron4Galop9Sable2").await;
            times.push(t.elapsed().as_secs_f64());
        }
        app.clock.advance(Duration::hours(2)); // stay clear of the growing delay
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    let ratio = unknown / known;
    assert!(
        (0.6..1.67).contains(&ratio),
        "known {known:.4}s, unknown {unknown:.4}s"
    );
}

#[tokio::test]
async fn log_out_revokes_the_token() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let r = app.log_out(&token).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
    let again = app.log_out(&token).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_or_forged_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, "/v1/account").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = read(
        app.get("/v1/account", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
    let huge = "A".repeat(10_000);
    assert_eq!(
        app.get("/v1/account", &huge).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .http
        .get(app.url("/v1/account"))
        .header("Authorization", "Basic dXNlcjpwdw==")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_timeout_is_30_minutes_and_use_extends_it() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(30));
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn absolute_timeout_is_12_hours_even_when_active() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    for _ in 0..((12 * 60) / 20 - 1) {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(
            app.get("/v1/account", &token).await.status(),
            StatusCode::OK
        );
    }
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        app.get("/v1/account", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_expired_password_only_lets_the_user_choose_a_new_one() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    app.clock
        .set(time::macros::datetime!(2026-08-25 09:00:00 UTC));
    let (status, body) = read(app.login("lila@example.fr", PASSWORD).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["must_change_password"], true);
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, body) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "password_expired");

    let (status, body) = read(app.change_to_new_password(&token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["valid_until"], "2029-08-24");
    let (status, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(home["password_expires_on"], "2029-08-24");
    let _: Value = home;
}

/// The home page is read from memory while nothing changes (store/cache.rs); what changes must
/// show on the very next request. Readers run in parallel all along, so that the cache is full
/// when each change lands.
#[tokio::test]
async fn cached_reads_see_every_change_at_once() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let other = app.token("lila@example.fr", PASSWORD).await;
    let readers = || {
        futures::future::join_all(
            (0..16).map(|_| async { app.get("/v1/account", &token).await.status() }),
        )
    };
    assert!(readers().await.iter().all(|s| *s == StatusCode::OK));

    // An e-mail change shows as pending at once.
    let (status, _) = read(
        app.request_email_change(
            &token,
            serde_json::json!({"new_email": "lila@nouveau.fr", "confirm_email": "lila@nouveau.fr"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, body) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(body["pending_email_change"]["new_email"], "lila@nouveau.fr");

    // A password change made on another session ends this one: refused at once, readers or not.
    assert!(readers().await.iter().all(|s| *s == StatusCode::OK));
    let r = app
        .change_password(&other, new_password(NEW_PASSWORD))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Log-out, while others read with the same token: every read after it is refused.
    let (status, _) = read(app.get("/v1/account", &other).await).await;
    assert_eq!(status, StatusCode::OK);
    let during = futures::future::join_all((0..16).map(|_| app.get("/v1/account", &other)));
    let logout = app
        .http
        .delete(app.url("/v1/sessions/current"))
        .bearer_auth(&other)
        .send();
    let (_, r) = futures::join!(during, logout);
    assert_eq!(r.unwrap().status(), StatusCode::NO_CONTENT);
    for _ in 0..8 {
        let (status, _) = read(app.get("/v1/account", &other).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
