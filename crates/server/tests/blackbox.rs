//! Black-box test written from SPEC §3: drives the `espace-pro-server` binary from outside, as a
//! script would: the CLI to create the account, `serve` with a test clock file, HTTP, and a real
//! SMTP listener for the e-mail.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use espace_pro_testkit::{SmtpListener, reserve_port};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_espace-pro-server");
const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const NEW_PASSWORD: &str = "Orage5Pivoine8Fanal3Zeste";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn create_account(db: &str, email: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(["account", "create", "--database", db, "--email", email])
        .args([
            "--first-name",
            "Lila",
            "--last-name",
            "ROSEMONDE",
            "--civility",
            "Mme",
        ])
        .args([
            "--phone",
            "0123456789",
            "--address",
            "12 rue de Longchamp, 75016 Paris, FRANCE",
        ])
        .args(["--security-question", "Le prénom de votre conjoint(e) ?"])
        .args(["--dossier", "000299001:SARL MARTIN DISTRIBUTION"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\nPaul\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Seconds to add to the real clock so that the service's clock reads `target`.
fn set_clock(file: &Path, target: time::OffsetDateTime) {
    let offset = (target - time::OffsetDateTime::now_utc()).whole_seconds();
    std::fs::write(file, offset.to_string()).unwrap();
}

async fn serve(db: &str, port: u16, smtp: &SmtpListener, clock: &Path) -> Server {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
        ])
        .args(["--smtp", &smtp.url(), "--test-clock-file"])
        .arg(clock)
        .env("ESPACE_PRO_LOG", "warn")
        .spawn()
        .unwrap();
    let server = Server(child);
    let health = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..200 {
        if reqwest::get(&health).await.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service did not answer /healthz within 10 s");
}

#[tokio::test]
async fn the_password_procedure_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let clock = dir.path().join("clock");
    set_clock(&clock, time::macros::datetime!(2023-08-25 15:10:00 UTC));

    // Account creation through the CLI: the subscriber number alone on standard output.
    let out = create_account(&db, "lila.rosemonde@example.fr", PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let number = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(number.len(), 14);
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        &number[..7],
        format!("{:04}{:03}", today.year(), today.ordinal())
    );
    assert_eq!(&number[7..], "0000001");

    // The same address twice, and a weak password, are refused with a French message.
    let again = create_account(&db, "LILA.rosemonde@example.fr", PASSWORD);
    assert!(!again.status.success());
    assert!(again.stdout.is_empty());
    assert!(String::from_utf8_lossy(&again.stderr).contains("déjà"));
    let weak = create_account(&db, "other@example.fr", "motdepasse");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("20 caractères"));

    let smtp = SmtpListener::start().await;
    let port = reserve_port();
    let _server = serve(&db, port, &smtp, &clock).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let login = |email: &str, password: &str| {
        http.post(format!("{base}/v1/sessions"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };

    let info: Value = http
        .get(format!("{base}/v1/service-info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["password_policy"]["min_chars"], 20);
    assert_eq!(info["test_mode"], true);

    // Wrong password and unknown address: one generic answer.
    let wrong = login("lila.rosemonde@example.fr", "Wrong7Citron4Galop9Sable2")
        .await
        .unwrap();
    let unknown = login("nobody@example.fr", "Wrong7Citron4Galop9Sable2")
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.unwrap(),
        unknown.json::<Value>().await.unwrap()
    );

    let session: Value = login("lila.rosemonde@example.fr", PASSWORD)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(session["must_change_password"], false);
    let other: Value = login("lila.rosemonde@example.fr", PASSWORD)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other_token = other["token"].as_str().unwrap().to_owned();

    let home: Value = http
        .get(format!("{base}/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(home["subscriber_number"], number.as_str());
    assert_eq!(home["first_name"], "Lila");
    assert_eq!(home["last_name"], "ROSEMONDE");
    assert_eq!(home["login_email"], "lila.rosemonde@example.fr");
    assert_eq!(home["dossiers"][0]["siren"], "000299001");
    assert_eq!(home["pending_email_change"], Value::Null);

    let change = |token: String, body: Value| {
        http.put(format!("{base}/v1/account/password"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    // Every rule, each with its code.
    for (candidate, field, code) in [
        ("Court7abc", "new_password", "too_short"),
        (
            &*format!("a1{}", "Zq9".repeat(50)),
            "new_password",
            "too_long",
        ),
        ("123456789012345678901", "new_password", "missing_letter"),
        (
            "Abcdefghijklmnopqrstuvwxyz",
            "new_password",
            "missing_digit",
        ),
        (
            "Vert7Citron4 Galop9Sable2",
            "new_password",
            "contains_whitespace",
        ),
        ("Rosemonde2023Rosemonde2023", "new_password", "too_weak"),
        (PASSWORD, "new_password", "same_as_current"),
    ] {
        let r = change(
            token.clone(),
            json!({"new_password": candidate, "confirm_password": candidate}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422, "{candidate}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "password_policy");
        assert_eq!(body["error"]["fields"][field], json!([code]), "{candidate}");
    }
    let r = change(
        token.clone(),
        json!({"new_password": NEW_PASSWORD, "confirm_password": "Orage5Pivoine8Fanal3Zest"}),
    )
    .await
    .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["fields"]["confirm_password"],
        json!(["mismatch"])
    );

    // Six minutes later, the current password is asked for.
    set_clock(&clock, time::macros::datetime!(2023-08-25 15:16:00 UTC));
    let r = change(
        token.clone(),
        json!({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "reauthentication_required"
    );

    let r = change(
        token.clone(),
        json!({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "current_password": PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["valid_until"], "2026-08-24");

    let mail = smtp
        .wait_for_count(1, Duration::from_secs(15))
        .await
        .remove(0);
    assert_eq!(
        mail.envelope_to,
        vec!["lila.rosemonde@example.fr".to_owned()]
    );
    assert_eq!(
        mail.subject,
        "Espace professionnel - Modification du mot de passe"
    );
    assert!(
        mail.body
            .contains("Celui-ci est valable jusqu'au 24 août 2026.")
    );
    assert!(!mail.raw.contains(NEW_PASSWORD));

    // The other session is revoked; the old password no longer works, the new one does.
    let r = http
        .get(format!("{base}/v1/account"))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        login("lila.rosemonde@example.fr", PASSWORD)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        login("lila.rosemonde@example.fr", NEW_PASSWORD)
            .await
            .unwrap()
            .status(),
        201
    );

    // Throttling: after 5 failures the sixth attempt waits, and the answer says how long.
    for _ in 0..4 {
        assert_eq!(
            login("lila.rosemonde@example.fr", PASSWORD)
                .await
                .unwrap()
                .status(),
            401
        );
    }
    let r = login("lila.rosemonde@example.fr", PASSWORD).await.unwrap();
    assert_eq!(r.status(), 401);
    let r = login("lila.rosemonde@example.fr", NEW_PASSWORD)
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "too_many_attempts"
    );

    // Log-out revokes.
    let r = http
        .delete(format!("{base}/v1/sessions/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = http
        .get(format!("{base}/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[test]
fn test_switches_are_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--database",
            &db,
            "--mail-dir",
        ])
        .arg(dir.path().join("mail"))
        .args(["--captcha-test-answer", "abcdef"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn a_weak_argon2_cost_is_refused() {
    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--argon2-memory-kib",
            "1024",
            "--argon2-iterations",
            "1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("OWASP"));
}
