use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn home_data_for_each_variant() {
    let app = TestApp::spawn().await;
    let n0 = app.create_account("zero@example.fr", &[]).await;
    app.create_account(
        "one@example.fr",
        &[("000299001", "SARL MARTIN DISTRIBUTION")],
    )
    .await;
    app.create_account(
        "many@example.fr",
        &[("000299001", "SARL MARTIN"), ("000412517", "SAS ÉLÉGANCE")],
    )
    .await;

    // 25 Aug 2023 is day 237; the sequence counts the day's registrations.
    assert_eq!(n0, "20232370000001");

    let token = app.token("zero@example.fr", PASSWORD).await;
    let (status, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(home["subscriber_number"], "20232370000001");
    assert_eq!(home["first_name"], "Lila");
    assert_eq!(home["last_name"], "ROSEMONDE");
    assert_eq!(home["civility"], "Mme");
    assert_eq!(home["login_email"], "zero@example.fr");
    assert_eq!(home["password_expires_on"], "2026-08-24");
    assert_eq!(home["dossiers"], Value::Array(vec![]));
    assert_eq!(home["pending_email_change"], Value::Null);

    let token = app.token("ONE@example.fr ", PASSWORD).await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["subscriber_number"], "20232370000002");
    assert_eq!(home["dossiers"][0]["siren"], "000299001");
    assert_eq!(home["dossiers"][0]["name"], "SARL MARTIN DISTRIBUTION");

    let token = app.token("many@example.fr", PASSWORD).await;
    let (_, home) = read(app.get("/v1/account", &token).await).await;
    assert_eq!(home["dossiers"].as_array().unwrap().len(), 2);
    assert_eq!(home["dossiers"][1]["name"], "SAS ÉLÉGANCE");
}

#[tokio::test]
async fn demo_seed_makes_one_account_per_home_variant_and_is_idempotent() {
    let app = TestApp::spawn().await;
    let svc = app.app().services();
    let first = espace_pro_server::demo::seed(svc).await.unwrap();
    let again = espace_pro_server::demo::seed(svc).await.unwrap();
    assert_eq!(first, again);
    let mut dossier_counts = Vec::new();
    for address in &first {
        let token = app
            .token(address, espace_pro_server::demo::DEMO_PASSWORD)
            .await;
        let (_, home) = read(app.get("/v1/account", &token).await).await;
        dossier_counts.push(home["dossiers"].as_array().unwrap().len());
    }
    dossier_counts.sort();
    assert_eq!(dossier_counts[0], 0);
    assert_eq!(dossier_counts[1], 1);
    assert!(dossier_counts[2] > 1);
    let accounts = app
        .row_counts()
        .await
        .into_iter()
        .find(|(t, _)| t == "accounts")
        .unwrap()
        .1;
    assert_eq!(accounts, 3);
}

#[tokio::test]
async fn the_security_answer_is_not_stored_in_clear() {
    let app = TestApp::spawn().await;
    app.create_account("secret@example.fr", &[]).await;
    let bytes = app.stored_bytes().await;
    assert!(
        !bytes.windows(4).any(|w| w == b"Paul"),
        "answer found in clear"
    );
    assert!(
        !bytes
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes()),
        "password found in clear"
    );
}

#[tokio::test]
async fn service_info_openapi_health_and_metrics() {
    let app =
        TestApp::spawn_with(|c| c.metrics_listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let info = send_json(app.http.get(app.url("/v1/service-info"))).await;
    assert_eq!(info["password_policy"]["min_chars"], 20);
    assert_eq!(info["password_policy"]["max_chars"], 128);
    assert_eq!(info["support"]["hotline"], "0 809 400 210");

    let doc = send_json(app.http.get(app.url("/v1/openapi.json"))).await;
    for path in [
        "/v1/service-info",
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/account",
        "/v1/account/password",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    // Every answer the layers can give is listed, and every 429 says when to come back.
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let answers = op["responses"].as_object().unwrap();
            let mut expected = vec!["408", "503"];
            if op.get("requestBody").is_some() {
                expected.extend(["400", "413", "415"]);
            }
            if op.get("security").is_some() {
                expected.extend(["401", "403"]);
            }
            for status in expected {
                assert!(
                    answers.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
            if let Some(throttled) = answers.get("429") {
                assert!(
                    throttled["headers"].get("Retry-After").is_some(),
                    "{method} {path}: 429 without Retry-After"
                );
            }
        }
    }
    assert!(operations >= 18, "{operations} operations");
    let account = &doc["components"]["schemas"]["AccountView"];
    assert!(
        account["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("pending_email_change"))
    );
    assert_eq!(
        account["properties"]["reauthentication_needed"]["type"],
        "boolean"
    );
    assert!(
        doc["components"]["schemas"]
            .get("PasswordChangeRequest")
            .is_some()
    );

    let health = app.send(Method::GET, "/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);

    app.login("nobody@example.fr", PASSWORD).await;
    // Metrics are not on the API's address, but on their own.
    let on_api = app.send(Method::GET, "/metrics").await;
    assert_eq!(on_api.status(), StatusCode::NOT_FOUND);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("espace_pro_logins_total{result=\"failure\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("espace_pro_outbox_unsent 0"));
    // Every answer is counted under its route's template.
    assert!(
        metrics.contains(
            "espace_pro_http_request_duration_seconds_count{route=\"/v1/sessions\",class=\"4xx\"}"
        ),
        "{metrics}"
    );
}
