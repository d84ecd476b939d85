//! The client library against the real service over HTTP, the real keyring (Secret Service under
//! dbus-run-session in CI), and the PDF read back with pdftotext.

use std::sync::Arc;
use std::time::Duration;

use espace_pro_client::pdf::summary_pdf;
use espace_pro_client::{ApiClient, ClientError, SessionVault};
use espace_pro_contract::api::*;
use espace_pro_contract::{ErrorCode, Secret};
use espace_pro_server::accounts::{NewAccount, create_account};
use espace_pro_server::clock::ManualClock;
use espace_pro_server::{Application, Config};
use espace_pro_testkit::{SmtpListener, find_code};

const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const NEW_PASSWORD: &str = "Orage5Pivoine8Fanal3Zeste";

/// A change of the phone number alone.
fn phone_only(phone: &str) -> ProfileUpdate {
    ProfileUpdate {
        phone: Some(phone.into()),
        ..Default::default()
    }
}

struct Env {
    app: Application,
    smtp: SmtpListener,
    api: ApiClient,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let smtp = SmtpListener::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(&dir.path().join("db.sqlite"), smtp.port());
    config.captcha_test_answer = Some("abcdef".into());
    let clock = ManualClock::new(time::macros::datetime!(2023-08-25 15:10:00 UTC));
    let app = Application::build(config, Arc::new(clock)).await.unwrap();
    let account = NewAccount {
        email: "lila@example.fr".into(),
        civility: "Mme".into(),
        first_name: "Łukasz".into(),
        last_name: "Żółć".into(),
        phone: "0123456789".into(),
        address: "12 rue de l'Église, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Hélène".into(),
        dossiers: vec![],
    };
    create_account(app.services(), &account, PASSWORD)
        .await
        .unwrap();
    let api = ApiClient::new(&format!("http://{}", app.addr())).unwrap();
    Env {
        app,
        smtp,
        api,
        _dir: dir,
    }
}

fn api_code(e: &ClientError) -> ErrorCode {
    e.api_code()
        .unwrap_or_else(|| panic!("not an API error: {e:?}"))
}

#[tokio::test]
async fn every_call_and_its_errors() {
    let Env {
        app,
        smtp,
        api,
        _dir,
    } = env().await;
    let info = api.service_info().await.unwrap();
    assert_eq!(info.password_policy.min_chars, 20);

    let e = api
        .login("lila@example.fr", &Secret::new("wrong"), None)
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::InvalidCredentials);
    assert!(e.to_string().contains("incorrect"));
    let session = api
        .login("lila@example.fr", &Secret::new(PASSWORD), None)
        .await
        .unwrap();
    let token = session.token.clone();
    assert!(!session.must_change_password);

    let home = api.account(&token).await.unwrap();
    assert_eq!(home.first_name, "Łukasz");
    let e = api.account(&Secret::new("forged")).await.unwrap_err();
    assert!(e.is_unauthorized());

    let e = api
        .change_password(
            &token,
            &PasswordChangeRequest {
                new_password: "court".into(),
                confirm_password: "court".into(),
                current_password: None,
                totp_code: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::PasswordPolicy);
    assert_eq!(e.fields()["new_password"], ["too_short", "missing_digit"]);

    let e = api
        .request_email_change(
            &token,
            &EmailChangeRequest {
                new_email: "lila@example.fr".into(),
                confirm_email: "lila@example.fr".into(),
                new_password: None,
                confirm_password: None,
                current_password: None,
                totp_code: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::SameAsCurrentEmail);
    let pending = api
        .request_email_change(
            &token,
            &EmailChangeRequest {
                new_email: "lila2@example.fr".into(),
                confirm_email: "lila2@example.fr".into(),
                new_password: None,
                confirm_password: None,
                current_password: None,
                totp_code: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(pending.sent_to, "lila2@example.fr");
    api.cancel_email_change(&token).await.unwrap();
    assert_eq!(
        api_code(&api.cancel_email_change(&token).await.unwrap_err()),
        ErrorCode::NotFound
    );

    api.request_email_change(
        &token,
        &EmailChangeRequest {
            new_email: "lila3@example.fr".into(),
            confirm_email: "lila3@example.fr".into(),
            new_password: None,
            confirm_password: None,
            current_password: None,
            totp_code: None,
        },
    )
    .await
    .unwrap();
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.envelope_to == ["lila3@example.fr".to_owned()]
        })
        .await;
    let code = find_code(&mail.body).unwrap();
    let captcha = api.captcha().await.unwrap();
    assert_eq!(captcha.length, 6);
    let e = api
        .verify_code(&VerifyCodeRequest {
            code: code.as_str().into(),
            captcha_id: captcha.id.clone(),
            captcha_answer: "zzzzzz".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::InvalidCaptcha);
    let captcha = api.captcha().await.unwrap();
    let ticket = api
        .verify_code(&VerifyCodeRequest {
            code: code.as_str().into(),
            captcha_id: captcha.id,
            captcha_answer: "abcdef".into(),
        })
        .await
        .unwrap();
    let e = api
        .complete_activation(&CompleteActivationRequest {
            ticket: ticket.ticket.clone(),
            email: "x@example.fr".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::EmailMismatch);
    let done = api
        .complete_activation(&CompleteActivationRequest {
            ticket: ticket.ticket,
            email: "lila3@example.fr".into(),
        })
        .await
        .unwrap();
    assert_eq!(done.login_email, "lila3@example.fr");
    assert!(
        api.account(&token).await.unwrap_err().is_unauthorized(),
        "activation revokes sessions"
    );

    let token = api
        .login("lila3@example.fr", &Secret::new(PASSWORD), None)
        .await
        .unwrap()
        .token;
    let profile = api.profile(&token).await.unwrap();
    assert_eq!(profile.phone, "0123456789");
    let updated = api
        .update_profile(&token, &phone_only("0611223344"))
        .await
        .unwrap();
    assert_eq!(updated.phone, "0611223344");
    let e = api
        .update_profile(&token, &phone_only("abc"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::InvalidProfile);
    let summary = api.summary(&token).await.unwrap();
    assert_eq!(summary.summary.phone, "0611223344");
    let activity = api.activity(&token).await.unwrap();
    assert_eq!(activity.events[0].kind, "profile_updated");

    let changed = api
        .change_password(
            &token,
            &PasswordChangeRequest {
                new_password: NEW_PASSWORD.into(),
                confirm_password: NEW_PASSWORD.into(),
                current_password: None,
                totp_code: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.valid_until, time::macros::date!(2026 - 08 - 24));

    let accepted = api.recovery_request("lila3@example.fr").await.unwrap();
    assert_eq!(accepted.code_validity_minutes, 60);
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| m.subject.contains("oublié"))
        .await;
    let code = Secret::new(find_code(&mail.body).unwrap());
    let e = api
        .recovery_question("lila3@example.fr", &Secret::new("AAAAAAAAAAAA"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::InvalidCode);
    let q = api
        .recovery_question("lila3@example.fr", &code)
        .await
        .unwrap();
    assert_eq!(
        q.security_question.as_deref(),
        Some("Le prénom de votre conjoint(e) ?")
    );
    let e = api
        .recovery_complete(&RecoveryCompleteRequest {
            ticket: q.ticket.clone(),
            security_answer: "Paul".into(),
            new_password: PASSWORD.into(),
            confirm_password: PASSWORD.into(),
        })
        .await
        .unwrap_err();
    assert_eq!(api_code(&e), ErrorCode::InvalidSecurityAnswer);
    api.recovery_complete(&RecoveryCompleteRequest {
        ticket: q.ticket,
        security_answer: "hélène".into(),
        new_password: PASSWORD.into(),
        confirm_password: PASSWORD.into(),
    })
    .await
    .unwrap();

    let token = api
        .login("lila3@example.fr", &Secret::new(PASSWORD), None)
        .await
        .unwrap()
        .token;
    api.logout(&token).await.unwrap();
    assert!(api.account(&token).await.unwrap_err().is_unauthorized());

    for _ in 0..5 {
        let _ = api
            .login("lila3@example.fr", &Secret::new("wrong"), None)
            .await;
    }
    let e = api
        .login("lila3@example.fr", &Secret::new("wrong"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::Api {
                code: ErrorCode::CaptchaRequired,
                ..
            }
        ),
        "{e:?}"
    );

    app.shutdown().await;
    let e = api.service_info().await.unwrap_err();
    assert!(matches!(e, ClientError::Network(_)), "{e:?}");
    assert_eq!(e.code(), "network");
}

#[test]
fn plain_http_to_another_machine_is_refused() {
    assert_eq!(
        ApiClient::new("http://espace-pro.example")
            .unwrap_err()
            .code(),
        "insecure_url"
    );
    assert!(ApiClient::new("https://espace-pro.example").is_ok());
}

// Linux: checked from outside with secret-tool. On Windows and macOS the same code uses the
// Credential Manager and the Keychain (keyring's native features), untested here.
#[cfg(target_os = "linux")]
#[test]
fn the_session_token_round_trips_through_the_system_keyring() {
    let vault = SessionVault::new(
        "fr.espacepro.desktop.tests",
        &format!("http://127.0.0.1:{}", std::process::id()),
    );
    vault.delete().unwrap();
    assert!(vault.load().unwrap().is_none());
    vault.save(&Secret::new("token-123")).unwrap();
    assert_eq!(vault.load().unwrap().unwrap().expose(), "token-123");
    // A second vault object reads the same entry: the secret is in the store, not in memory.
    let again = SessionVault::new(
        "fr.espacepro.desktop.tests",
        &format!("http://127.0.0.1:{}", std::process::id()),
    );
    assert_eq!(again.load().unwrap().unwrap().expose(), "token-123");
    vault.delete().unwrap();
    assert!(again.load().unwrap().is_none());
    // The real store is used: gnome-keyring lists the item while it exists.
    vault.save(&Secret::new("visible")).unwrap();
    let out = std::process::Command::new("secret-tool")
        .args(["search", "service", "fr.espacepro.desktop.tests"])
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains("fr.espacepro.desktop.tests"),
            "secret-tool sees no item: {text}"
        );
    }
    vault.delete().unwrap();
}

/// Several accounts on one service: each has its own entry; deleting one leaves the others.
#[cfg(target_os = "linux")]
#[test]
fn each_account_has_its_own_keyring_entry() {
    let url = format!("http://127.0.0.1:{}/accounts", std::process::id());
    let service = "fr.espacepro.desktop.tests";
    let first = SessionVault::for_account(service, &url, "20240115000001");
    let second = SessionVault::for_account(service, &url, "20240115000002");
    let legacy = SessionVault::new(service, &url);
    first.save(&Secret::new("token-first")).unwrap();
    second.save(&Secret::new("token-second")).unwrap();
    assert_eq!(first.load().unwrap().unwrap().expose(), "token-first");
    assert_eq!(second.load().unwrap().unwrap().expose(), "token-second");
    assert!(legacy.load().unwrap().is_none());
    first.delete().unwrap();
    assert!(first.load().unwrap().is_none());
    assert_eq!(second.load().unwrap().unwrap().expose(), "token-second");
    second.delete().unwrap();
    assert!(second.load().unwrap().is_none());
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by cargo xtask test");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_summary_pdf_has_every_field_in_real_text() {
    let data = SummaryData {
        civility: "Mme".into(),
        first_name: "Łukasz".into(),
        last_name: "Żółć".into(),
        subscriber_number: "20232330000101".parse().unwrap(),
        login_email: "lukasz.zolc@example.fr".into(),
        phone: "0123456789".into(),
        address: "12 rue de l'Église, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) « préféré » ?".into(),
        security_answer: "Hélène à Noël, façon côte".into(),
    };
    let at = time::macros::datetime!(2023-08-22 14:09:36 UTC);
    let pdf = summary_pdf(&data, at).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Kept for people to look at (pdftoppm -png).
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("summary-sample.pdf"),
        &pdf,
    )
    .unwrap();
    let text = pdftotext(&pdf);
    for expected in [
        "VOTRE ESPACE PROFESSIONNEL",
        "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
        "Vos coordonnées",
        "Nom :",
        "Żółć",
        "Prénom :",
        "Łukasz",
        "N° d'abonné :",
        "20232330000101",
        "Téléphone :",
        "0123456789",
        "lukasz.zolc@example.fr",
        "12 rue de l'Église",
        "75016 Paris",
        "FRANCE",
        "Votre question/réponse de confiance",
        "Le prénom de votre conjoint(e) « préféré » ?",
        "Hélène à Noël, façon côte",
        "document créé le 22/08/2023 à 14h09mn36s",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // A subset of the font is embedded, not the whole 740 KB file.
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
}

/// A service published under a folder (`https://portal.example/espace-pro/`) is asked there,
/// not at the origin's root.
#[tokio::test]
async fn the_service_url_keeps_its_path() {
    let env = env().await;
    let nested = axum::Router::new().nest(
        "/espace-pro",
        espace_pro_server::http::router(env.app.services().clone()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, nested).await });
    for url in [
        format!("http://{addr}/espace-pro"),
        format!("http://{addr}/espace-pro/"),
        format!("http://{addr}/espace-pro/?from=mail#top"),
    ] {
        let api = ApiClient::new(&url).unwrap();
        assert_eq!(api.base_url().path(), "/espace-pro/", "{url}");
        api.service_info()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let session = api
            .login("lila@example.fr", &Secret::new(PASSWORD), None)
            .await
            .unwrap();
        assert_eq!(
            api.account(&session.token).await.unwrap().first_name,
            "Łukasz"
        );
    }
    // At the root, nothing answers: the folder really was used above.
    let root = ApiClient::new(&format!("http://{addr}/")).unwrap();
    assert!(root.service_info().await.is_err());
}

/// A redirection is not followed: the request's body (here a password) would go along to the
/// address it names. The client says so instead, and nothing reaches that address.
#[tokio::test]
async fn a_redirection_is_refused_and_its_target_gets_nothing() {
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = elsewhere.local_addr().unwrap();
    let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reached.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = elsewhere.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    for status in [301u16, 302, 303, 307, 308] {
        let location = format!("http://{target}/v1/sessions");
        let redirecting = axum::Router::new().fallback(move || {
            let location = location.clone();
            async move {
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [(axum::http::header::LOCATION, location)],
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, redirecting).await });
        let api = ApiClient::new(&format!("http://{addr}")).unwrap();
        let e = api
            .login("lila@example.fr", &Secret::new(PASSWORD), None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "redirected", "{status}: {e:?}");
        assert!(
            matches!(&e, ClientError::Redirected(to) if to.contains(&target.to_string())),
            "{e:?}"
        );
        assert!(!e.to_string().contains(PASSWORD));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);
}
