use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = app.http.post(app.url(path)).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_bodies_get_a_json_4xx_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let before = app.row_counts().await;
    let json_ct = Some("application/json");
    let cases: Vec<(Option<&str>, Vec<u8>, StatusCode, &str)> = vec![
        (
            json_ct,
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            br#"{"email": 12, "password": []}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            br#"{"email": "a@b.fr"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            br#"{"email":"a@b.fr","password":"x","admin":true}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            br#"[1,2,3]"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json_ct,
            vec![0xff, 0xfe, 0x00, 0x7b],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            None,
            br#"{"email":"a@b.fr","password":"x"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Some("text/plain"),
            br#"{"email":"a@b.fr","password":"x"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (ct, body, status, code) in cases {
        let (s, b) = post_raw(&app, "/v1/sessions", ct, body.clone()).await;
        assert_eq!(
            (s, error_code(&b)),
            (status, code),
            "{:?}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            b["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let huge = format!(
        r#"{{"email":"a@b.fr","password":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let (s, b) = post_raw(&app, "/v1/sessions", json_ct, huge.into_bytes()).await;
    assert_eq!(
        (s, error_code(&b)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn authenticated_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    let before = app.row_counts().await;
    for body in [
        json!({"new_password": 5, "confirm_password": 5}),
        json!({"new_password": NEW_PASSWORD}),
        json!({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "current_password": {"x": 1}}),
        json!(null),
        json!({"new_password": "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}1a", "confirm_password": "x"}),
        json!({"new_password": "\u{FFFF}\u{1F600}\u{10FFFF}".repeat(30), "confirm_password": "y"}),
    ] {
        let (s, b) = read(app.change_password(&token, body.clone()).await).await;
        assert!(s.is_client_error(), "{body} → {s}");
        assert!(b["error"]["code"].is_string(), "{body} → {b}");
    }
    assert_eq!(app.row_counts().await, before);
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn odd_unicode_in_log_in_is_a_plain_refusal() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    for email in [
        "lila@example.fr\u{202E}",
        "lila@exämple.fr",
        "ｌｉｌａ@example.fr",
        "\u{0}",
        &"é".repeat(5000),
    ] {
        let (s, b) = read(app.login(email, PASSWORD).await).await;
        assert_eq!(
            (s, error_code(&b)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            "{email:?}"
        );
    }
    // A very long password is verified, not choked on, and refused the same way.
    let (s, _) = read(app.login("lila@example.fr", &"p".repeat(12_000)).await).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::spawn().await;
    let (s, b) = read(app.send(Method::GET, "/v1/nope").await).await;
    assert_eq!((s, error_code(&b)), (StatusCode::NOT_FOUND, "not_found"));
    let (s, b) = read(app.send(Method::PATCH, "/v1/sessions").await).await;
    assert_eq!(
        (s, error_code(&b)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[tokio::test]
async fn concurrent_log_ins_all_succeed() {
    let app = TestApp::spawn().await;
    app.create_account("lila@example.fr", &[]).await;
    let results =
        futures::future::join_all((0..20).map(|_| app.login("lila@example.fr", PASSWORD))).await;
    for r in results {
        assert_eq!(r.status(), StatusCode::CREATED);
    }
}
