//! `rotate-key`: a new master key, an interruption between the database and the key file, and
//! what a rotation must keep (answers, passwords) and end (codes keyed with the old key).

use std::sync::Arc;

use espace_pro_server::Application;
use espace_pro_server::clock::Clock as _;
use espace_pro_server::rotation;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_rotated_key_reseals_answers_ends_old_codes_and_survives_an_interruption() {
    let app = TestApp::spawn().await;
    let token = app.lila().await;
    app.request_email_change(
        &token,
        json!({"new_email": "new@example.fr", "confirm_email": "new@example.fr"}),
    )
    .await;
    let code = app.activation_code("new@example.fr", 1).await;
    let key_file = app.config.key_file.clone();
    let old_key = std::fs::read(&key_file).unwrap();
    let sealed_before = app.stored_bytes().await;
    let store = app.app().services().store.clone();
    let now = app.clock.now().unix_timestamp();

    // Interrupted after the database moved to the new key, before the key file did.
    let done = rotation::reseal(&store, &key_file, now).await.unwrap();
    assert_eq!(done.answers, 1);
    assert_eq!(done.forgotten.codes_ended, 1);
    let next = espace_pro_server::crypto::MasterKey::next_path(&key_file);
    assert!(next.exists());
    assert_eq!(std::fs::read(&key_file).unwrap(), old_key);
    // No service starts on a key the database no longer matches.
    let refused = Application::build(app.config.clone(), Arc::new(app.clock.clone()))
        .await
        .err()
        .expect("refused while a rotation is unfinished")
        .to_string();
    assert!(refused.contains("rotate-key"), "{refused}");

    // Run again: it finishes.
    let done = rotation::rotate_key(&store, &key_file, now).await.unwrap();
    assert_eq!(done.answers, 1);
    assert!(!next.exists());
    let new_key = std::fs::read(&key_file).unwrap();
    assert_eq!(new_key.len(), 32);
    assert_ne!(new_key, old_key);
    assert_ne!(
        app.stored_bytes().await,
        sealed_before,
        "the answer was re-sealed"
    );

    let app = app.restart().await;
    // The password and the security answer are unchanged for their owner.
    let token = app.token("lila@example.fr", PASSWORD).await;
    let (status, summary) = read(app.get("/v1/account/summary", &token).await).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["security_answer"], "Paul");
    // The code keyed with the old key is void.
    let (status, body) = read(app.verify_code(&code).await).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code")
    );
    // A new request works under the new key.
    app.request_email_change(
        &token,
        json!({"new_email": "new@example.fr", "confirm_email": "new@example.fr"}),
    )
    .await;
    let code = app.activation_code("new@example.fr", 2).await;
    assert_eq!(app.verify_code(&code).await.status(), StatusCode::OK);
}
