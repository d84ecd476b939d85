//! The service answers in the language the client asks for (`Accept-Language`): French by
//! default, English when preferred. Codes and fields do not change; messages do.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A French word or sign no English message of ours contains.
fn looks_french(message: &str) -> bool {
    message.chars().any(|c| "éèêàùçôî«»".contains(c))
        || [
            " le ", " la ", " les ", " votre ", " vous ", " des ", " pas ",
        ]
        .iter()
        .any(|w| message.contains(w))
}

async fn post_in(app: &TestApp, lang: &str, path: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .header("accept-language", lang)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn errors_answer_in_the_language_asked_for() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let wrong = json!({"email": "lila@example.fr", "password": "pas le bon mot de passe 1"});

    // Default and French: French.
    let fr = app
        .login("lila@example.fr", "pas le bon mot de passe 1")
        .await;
    assert_eq!(fr.headers()["content-language"], "fr");
    let body = expect_error(fr, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert!(
        looks_french(body["error"]["message"].as_str().unwrap()),
        "{body}"
    );

    // English preferred: the same code, an English message.
    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (
            post_in(
                &app,
                "en-GB,en;q=0.9,fr;q=0.5",
                "/v1/sessions",
                wrong.clone(),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            app.http
                .post(app.url("/v1/sessions"))
                .header("accept-language", "en")
                .header("content-type", "application/json")
                .body("{not json")
                .send()
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            app.http
                .get(app.url("/v1/nowhere"))
                .header("accept-language", "en")
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            post_in(
                &app,
                "en",
                "/v1/password-recovery/question",
                json!({"email": "lila@example.fr", "code": "ABCDEFGHIJKL"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_code",
        ),
        (
            post_in(
                &app,
                "en",
                "/v1/activations/verify-code",
                json!({"code": "ABCDEFGHIJKL", "captcha_id": "nope", "captcha_answer": "x"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_captcha",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.headers()["content-language"], "en");
        let body = expect_error(response, status, code).await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(!looks_french(message), "{code}: {message}");
    }

    // A password refused in English names each rule in English, fields unchanged.
    let token = app.token("lila@example.fr", PASSWORD).await;
    let refused = app
        .http
        .put(app.url("/v1/account/password"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&new_password("court1"))
        .send()
        .await
        .unwrap();
    let body = expect_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "password_policy").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at least 20 characters"), "{message}");
    assert!(!looks_french(message), "{message}");
    assert_eq!(body["error"]["fields"]["new_password"][0], "too_short");
}

#[tokio::test]
async fn service_texts_follow_the_language() {
    let app = TestApp::spawn().await;
    let info = |lang: &'static str| {
        let app = &app;
        async move {
            read(
                app.http
                    .get(app.url("/v1/service-info"))
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
            .1
        }
    };
    let fr = info("fr").await;
    let en = info("en").await;
    assert!(
        looks_french(fr["support"]["hotline_hours"].as_str().unwrap()),
        "{fr}"
    );
    assert!(
        !looks_french(en["support"]["hotline_hours"].as_str().unwrap()),
        "{en}"
    );
    assert!(
        en["support"]["online_form"]
            .as_str()
            .unwrap()
            .starts_with("Contact and"),
        "{en}"
    );
    assert_eq!(fr["support"]["hotline"], en["support"]["hotline"]);

    let (status, accepted) = read(
        post_in(
            &app,
            "en",
            "/v1/password-recovery",
            json!({"email": "x@example.fr"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let message = accepted["message"].as_str().unwrap();
    assert!(
        message.contains("60 minutes") && !looks_french(message),
        "{message}"
    );
}

/// Dates are the days of the configured zone (Paris by default): a change at 00:30 in Paris,
/// 23:30 the day before in UTC, is dated the Paris day, and e-mails give the Paris time.
#[tokio::test]
async fn dates_are_those_of_paris() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    app.clock
        .set(time::macros::datetime!(2026-11-27 23:30:00 UTC));
    let token2 = app.token("lila@example.fr", PASSWORD).await;
    let _ = token;
    let (status, body) = read(
        app.change_password(&token2, new_password(NEW_PASSWORD))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["valid_until"], "2029-11-27",
        "three years from 28 November, minus a day"
    );

    let token3 = app.token("lila@example.fr", NEW_PASSWORD).await;
    let (status, body) = read(
        app.request_email_change(
            &token3,
            json!({"new_email": "lila.new@example.fr", "confirm_email": "lila.new@example.fr", "current_password": NEW_PASSWORD}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let notice = app
        .smtp
        .wait_for(MAIL_WAIT, |m| {
            m.envelope_to == ["lila@example.fr".to_owned()]
                && m.body.contains("nouvelle adresse demandée")
        })
        .await;
    assert!(
        notice
            .body
            .contains("le 28/11/2026 à 00 h 30 (heure de Paris)"),
        "{}",
        notice.body
    );

    let (_, info) = read(app.send(Method::GET, "/v1/service-info").await).await;
    assert_eq!(info["time_zone"], "Europe/Paris");
}
