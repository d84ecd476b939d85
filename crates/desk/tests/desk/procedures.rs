//! The procedures' effects on this computer: an activation or a recovery ends the sessions of
//! the account it concerns and no other; the summary file; the reminders; the meter's context.

use espace_pro_contract::Secret;
use espace_pro_contract::api::VerifyCodeRequest;
use espace_pro_desk::keyring::{Keyring as _, session_entry};

use crate::kit::*;

const ACTIVATION: &str = "Création ou modification";
const RECOVERY: &str = "Mot de passe oublié";

/// A change of address asked for `email` outside this desk: the code sent to `new`.
async fn new_address_code(service: &Service, email: &str, new: &str) -> String {
    let api = service.api();
    let token = api
        .login(email, &Secret::new(PASSWORD), None)
        .await
        .unwrap()
        .token;
    let change = espace_pro_contract::api::EmailChangeRequest {
        new_email: new.into(),
        confirm_email: new.into(),
        new_password: None,
        confirm_password: None,
        current_password: None,
        totp_code: None,
    };
    api.request_email_change(&token, &change).await.unwrap();
    service.code(new, ACTIVATION, 1).await
}

/// Activation, step 1, with the CAPTCHA's test answer.
async fn verify(desk: &espace_pro_desk::Desk, code: String) {
    let captcha = desk.new_captcha().await.unwrap();
    assert!(captcha.image.starts_with("data:image/png;base64,"));
    let req = VerifyCodeRequest {
        code: Secret::new(code),
        captcha_id: captcha.id,
        captcha_answer: CAPTCHA_ANSWER.into(),
    };
    desk.verify_activation_code(&req).await.unwrap();
}

#[tokio::test]
async fn an_activation_ends_only_the_activated_accounts_session() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let marc = a.account("marc@example.fr", "Marc").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    desk.leave().await;
    login(&desk, "marc@example.fr").await;
    let marc_token = keyring
        .load(&session_entry(&a.url, &marc))
        .unwrap()
        .unwrap();
    // Lila asks for a new address elsewhere; its code is typed here, Marc's session in use.
    let code = new_address_code(&a, "lila@example.fr", "lila.new@example.fr").await;
    assert_eq!(
        desk.complete_activation("lila.new@example.fr".into())
            .await
            .unwrap_err()
            .code,
        "no_ticket"
    );
    verify(&desk, code).await;
    let done = desk
        .complete_activation("lila.new@example.fr".into())
        .await
        .unwrap();
    assert_eq!(done.subscriber_number.to_string(), lila);
    // Marc's session is still the one in use, and kept.
    assert_eq!(desk.home().await.unwrap().0.first_name, "Marc");
    assert!(a.accepts(&marc_token).await);
    assert!(holds(&keyring, &a.url, &marc));
    // Lila's is gone (the service ended it), and the list shows her new address.
    assert!(!holds(&keyring, &a.url, &lila));
    let list = desk.known_accounts().await;
    let shown = list.iter().find(|k| k.subscriber_number == lila).unwrap();
    assert_eq!(shown.login_email, "lila.new@example.fr");
    assert!(!shown.signed_in);
}

#[tokio::test]
async fn after_an_activation_logged_out_the_summary_needs_the_password() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    assert_eq!(desk.summary_pdf().await.unwrap_err().code, "no_summary");
    let code = new_address_code(&a, "lila@example.fr", "lila.new@example.fr").await;
    verify(&desk, code).await;
    desk.complete_activation("lila.new@example.fr".into())
        .await
        .unwrap();
    assert_eq!(
        desk.summary_pdf().await.unwrap_err().code,
        "reauthentication_required"
    );
    assert_eq!(
        desk.reauthenticate(Secret::new("Faux1Faux2Faux3Faux4Faux"))
            .await
            .unwrap_err()
            .code,
        "invalid_credentials"
    );
    desk.reauthenticate(Secret::new(PASSWORD)).await.unwrap();
    let pdf = desk.summary_pdf().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The session opened for it was closed: nothing kept.
    assert!(keyring.entries().is_empty());
}

#[tokio::test]
async fn a_recovery_ends_only_that_accounts_session() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let marc = a.account("marc@example.fr", "Marc").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    desk.leave().await;
    login(&desk, "marc@example.fr").await;
    desk.recovery_request("lila@example.fr").await.unwrap();
    let code = a.code("lila@example.fr", RECOVERY, 1).await;
    let question = desk
        .recovery_question("Lila@Example.fr", Secret::new(code))
        .await
        .unwrap();
    assert_eq!(question, "Votre ville de naissance ?");
    desk.recovery_complete(
        Secret::new("Valence"),
        Secret::new(NEW_PASSWORD),
        Secret::new(NEW_PASSWORD),
    )
    .await
    .unwrap();
    assert_eq!(desk.home().await.unwrap().0.first_name, "Marc");
    assert!(holds(&keyring, &a.url, &marc));
    assert!(!holds(&keyring, &a.url, &lila));
    assert_eq!(
        desk.recovery_complete(
            Secret::new("Valence"),
            Secret::new(NEW_PASSWORD),
            Secret::new(NEW_PASSWORD)
        )
        .await
        .unwrap_err()
        .code,
        "no_ticket",
        "the ticket is used once"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_summary_is_private_even_over_an_existing_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_a, _keyring, dir, desk) = lila_signed_in().await;
    let pdf = desk.summary_pdf().await.unwrap();
    let path = dir.path().join(espace_pro_desk::SUMMARY_FILE_NAME);
    std::fs::write(&path, b"an older file, readable by all").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    espace_pro_desk::write_summary(path.clone(), pdf.clone())
        .await
        .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert_eq!(std::fs::read(&path).unwrap(), pdf);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "a temporary file was left");
    // A file prepared beside it under the name the temporary file used to have, or a link
    // from there to someone else's file: neither is written through.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"not yours").unwrap();
    let name = espace_pro_desk::SUMMARY_FILE_NAME;
    let prepared = dir.path().join(format!(".{name}.{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &prepared).unwrap();
    espace_pro_desk::write_summary(path.clone(), pdf.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"not yours");
    assert_eq!(std::fs::read(&path).unwrap(), pdf);
    std::fs::remove_file(&prepared).unwrap();
    let e = espace_pro_desk::write_summary(dir.path().join("missing/dir/x.pdf").join(""), pdf)
        .await
        .unwrap_err();
    assert_eq!(e.code, "io");
}

#[tokio::test]
async fn a_reminder_is_shown_once_per_threshold() {
    let (a, _keyring, dir, desk) = lila_signed_in().await;
    let (mut account, reminder) = desk.home().await.unwrap();
    assert_eq!(
        reminder, None,
        "a new password is three years away from expiry"
    );
    let data = dir.path().join("data");
    let due = |days, account: &mut espace_pro_contract::api::AccountView, english| {
        account.password_expires_in_days = Some(days);
        espace_pro_desk::reminders::due(&data, &a.url, account, &[30, 7, 1], english)
    };
    assert_eq!(due(31, &mut account, false), None);
    let first = due(30, &mut account, false).expect("due at 30 days");
    assert!(first.body.contains("30"), "{first:?}");
    assert_eq!(due(29, &mut account, false), None, "once per threshold");
    let english = due(7, &mut account, true).expect("due at 7 days");
    assert!(
        english.title.is_ascii() && english.title != first.title,
        "{english:?}"
    );
    assert_eq!(due(6, &mut account, false), None);
    assert!(due(0, &mut account, false).is_some());
    assert_eq!(
        due(-1, &mut account, false),
        None,
        "expired: the log-in says so"
    );
}

#[tokio::test]
async fn the_meter_knows_the_account_in_use_and_the_one_recovering() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (_keyring, _dir, desk) = fresh(&a.url);
    let password = "LilaRosemonde";
    let stranger = desk.password_strength(password, None);
    login(&desk, "lila@example.fr").await;
    desk.home().await.unwrap();
    let known = desk.password_strength(password, None);
    assert!(
        known.score < stranger.score,
        "{} vs {}",
        known.score,
        stranger.score
    );
    desk.logout().await;
    assert_eq!(desk.password_strength(password, None).score, stranger.score);
    assert_eq!(desk.demo_mailbox().await.unwrap_err().code, "not_demo");
}
