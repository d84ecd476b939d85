//! End-to-end: the built app in a real WebKit window (under Xvfb), driven through WebDriver
//! (tauri-driver → WebKitWebDriver), against the `espace-pro-server` binary running as its own
//! process on loopback (temporary SQLite, `--captcha-test-answer`, `--test-clock-file`) with a
//! real SMTP listener, and once against the embedded default (demo mode). Controls are found by
//! their visible French `<label>`, as a person finds them.
//!
//! `cargo xtask test` provides the display, the D-Bus session with a keyring, and tauri-driver.
//! Linux only: tauri-driver drives WebKitWebDriver there; macOS has no WebDriver for WKWebView.
#![cfg(target_os = "linux")]

//!
//! One scenario per section; what they share (starting the app and the service, finding controls,
//! logging in, axe-core) is in `tests/support/`.

use std::time::Duration;

use espace_pro_server::accounts::NewAccount;

mod support;

use support::app::*;
use support::steps::*;
use support::webdriver::WebDriver;

// ---- log in and change the password through the window ----------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn log_in_and_change_the_password_through_the_window() {
    let s = AgainstService::start(NewAccount {
        email: "lila.rosemonde@example.fr".into(),
        civility: "Mme".into(),
        first_name: "Lila".into(),
        last_name: "ROSEMONDE".into(),
        phone: "0123456789".into(),
        address: "12 rue de Longchamp, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Paul".into(),
        dossiers: vec![("000299001".into(), "SARL MARTIN DISTRIBUTION".into())],
    })
    .await;
    let (smtp, number) = (&s.smtp, s.number.clone());
    let ui = s.window().await;

    // Log-in: wrong, then right.
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.shot("01-login").await;
    log_in_refused(
        &ui,
        "lila.rosemonde@example.fr",
        "Wrong7Citron4Galop9Sable2",
    )
    .await;
    ui.shot("02-login-error").await;
    ui.type_into("Mot de passe", PASSWORD).await;
    ui.press("Connexion").await;

    // Home, one-company variant.
    let home = ui.wait_text(&format!("Abonné : {number}")).await;
    assert!(home.contains("DOSSIER COURANT"), "{home}");
    assert!(home.contains("SARL MARTIN DISTRIBUTION"));
    assert!(home.contains("Expiration du mot de passe :"));
    ui.shot("03-home").await;

    ui.press("Gérer les services").await;
    let services = ui.wait_text("INFORMATIONS PERSONNELLES").await;
    assert!(services.contains("SERVICES EN LIGNE") && services.contains("DOSSIERS"));
    ui.shot("04-services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;

    let checkbox = ui
        .by_label("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.c.click(&checkbox).await;
    let field = ui.by_label("Nouveau mot de passe").await;
    // The meter reacts as the password grows.
    let mut levels = Vec::new();
    let chunks = ["Or", "age5", "Pivo", "ine8Fa", "nal3Zeste"];
    assert_eq!(chunks.concat(), NEW_PASSWORD);
    for chunk in chunks {
        ui.c.send_keys(&field, chunk).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        levels.push(ui.text_of("new-password-level").await);
    }
    assert!(levels[0].starts_with("Niveau de sécurité : "), "{levels:?}");
    assert_ne!(
        levels.first(),
        levels.last(),
        "the level did not change: {levels:?}"
    );
    assert!(
        levels.last().unwrap().ends_with("Fort") || levels.last().unwrap().ends_with("Très fort"),
        "{levels:?}"
    );
    ui.shot("05-credentials-meter").await;

    // A rule error first (confirmation differs), shown beside the field.
    let almost = &NEW_PASSWORD[..NEW_PASSWORD.len() - 1];
    ui.type_into("Confirmez votre nouveau mot de passe", almost)
        .await;
    ui.press("Valider les modifications").await;
    ui.wait_text("Les deux mots de passe ne sont pas identiques.")
        .await;
    ui.shot("06-credentials-error").await;
    ui.type_into("Confirmez votre nouveau mot de passe", "e")
        .await;
    ui.press("Valider les modifications").await;

    let done = ui
        .wait_text("Votre mot de passe a été réinitialisé avec succès.")
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let until = espace_pro_server::dates::password_valid_until(today, 3);
    let expected = format!(
        "Ce mot de passe est valable jusqu'au {}.",
        espace_pro_server::dates::long_french(until)
    );
    assert!(done.contains(&expected), "{done}");
    ui.shot("07-password-done").await;
    assert_accessible(&ui, "password-done").await;

    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Modification du mot de passe"
        })
        .await;
    assert_eq!(
        mail.envelope_to,
        vec!["lila.rosemonde@example.fr".to_owned()]
    );
    assert!(
        mail.body
            .contains(&espace_pro_server::dates::long_french(until))
    );

    // The old password is refused, the new one accepted.
    ui.press("OK").await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.press("Quitter").await;
    log_in_refused(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    log_in(&ui, "lila.rosemonde@example.fr", NEW_PASSWORD).await;
    ui.wait_text(&format!("Abonné : {number}")).await;

    ui.c.close().await;
}

// ---- a configured password minimum in the screens and the messages ----------------------------

/// The service runs with `--password-min-chars 24`: the screens quote 24 (checkbox label, meter
/// rule, field message, in French and in English) and so does the service's refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_password_minimum_in_the_screens_and_the_messages() {
    let s = AgainstService::start_with(
        NewAccount {
            email: "lila.rosemonde@example.fr".into(),
            first_name: "Lila".into(),
            last_name: "ROSEMONDE".into(),
            ..Default::default()
        },
        &["--password-min-chars", "24"],
    )
    .await;
    let ui = s.window().await;
    log_in(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    ui.wait_text(&format!("Abonné : {}", s.number)).await;
    ui.press("Gérer les services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    let checkbox = ui
        .by_label("Saisir mon nouveau mot de passe : (24 caractères minimum)")
        .await;
    ui.c.click(&checkbox).await;
    ui.wait_text("Au moins 24 caractères").await;

    // 22 characters: enough by the guide's 20, not for this service.
    let short = "Orage5Pivoine8Fanal3Ze";
    ui.type_into("Nouveau mot de passe", short).await;
    ui.type_into("Confirmez votre nouveau mot de passe", short)
        .await;
    ui.press("Valider les modifications").await;
    let refused = ui
        .wait_text("Le mot de passe doit compter au moins 24 caractères.")
        .await;
    assert!(
        refused.contains("il doit compter au moins 24 caractères"),
        "the service's message: {refused}"
    );
    assert!(!refused.contains("20 caractères"), "{refused}");
    ui.shot("min-24-refused").await;

    ui.press("English").await;
    ui.wait_text("Enter my new password: (24 characters minimum)")
        .await;
    ui.press("Français").await;
    ui.wait_text("Modifiez vos identifiants.").await;
    ui.c.close().await;
}

// ---- the owner logs in with a CAPTCHA while the address is under attack -------------------------

/// Five wrong passwords (someone guessing): the address now asks for a CAPTCHA, and the log-in
/// screen shows it (image, sound, "Changer l'image"); with it, the owner gets in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_logs_in_with_a_captcha_while_the_address_is_under_attack() {
    let s = AgainstService::start(NewAccount {
        email: "lila.rosemonde@example.fr".into(),
        first_name: "Lila".into(),
        last_name: "ROSEMONDE".into(),
        ..Default::default()
    })
    .await;
    let ui = s.window().await;
    for _ in 0..5 {
        log_in_refused(
            &ui,
            "lila.rosemonde@example.fr",
            "Wrong7Citron4Galop9Sable2",
        )
        .await;
    }
    // The service's clock decides, not how fast the window answers: the sixth attempt comes
    // "at once" after the fifth (the clock set back), inside the delay five failures earn.
    s.service.set_clock_offset(-30);
    log_in(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    ui.wait_text("recopiez aussi les caractères de l'image")
        .await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    ui.button("Changer l'image").await;
    ui.button("Écouter l'extrait sonore").await;
    ui.shot("login-captcha").await;
    assert_accessible(&ui, "login-captcha").await;
    let password = ui.by_label("Mot de passe").await;
    ui.c.clear(&password).await;
    ui.c.send_keys(&password, PASSWORD).await;
    ui.type_into(
        "Recopiez les caractères de l'image : *",
        support::service::CAPTCHA_ANSWER,
    )
    .await;
    ui.press("Connexion").await;
    ui.wait_text(&format!("Abonné : {}", s.number)).await;
    ui.c.close().await;
}

// ---- the security answer asks for the password again after a few minutes ------------------------

/// Six minutes after logging in, "Gérer vos coordonnées" asks for the current password before it
/// shows the security answer; the right one opens the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_answer_asks_for_the_password_again() {
    let s = AgainstService::start(NewAccount {
        email: "lila.rosemonde@example.fr".into(),
        first_name: "Lila".into(),
        last_name: "ROSEMONDE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Paul".into(),
        ..Default::default()
    })
    .await;
    let ui = s.window().await;
    log_in(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    ui.wait_text(&format!("Abonné : {}", s.number)).await;
    s.service.set_clock_offset(6 * 60);
    ui.press("Gérer les services").await;
    ui.press("Gérer vos coordonnées").await;
    ui.wait_text(
        "Votre réponse de confiance ne s'affiche qu'après la saisie de votre mot de passe actuel",
    )
    .await;
    ui.shot("coordinates-password-again").await;
    assert_accessible(&ui, "coordinates-password-again").await;
    ui.type_into("Mot de passe actuel", "Wrong7Citron4Galop9Sable2")
        .await;
    ui.press("Continuer").await;
    ui.wait_text("Le mot de passe actuel saisi est incorrect")
        .await;
    let field = ui.by_label("Mot de passe actuel").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, PASSWORD).await;
    ui.press("Continuer").await;
    ui.wait_text("Question de confiance").await;
    let answer =
        ui.c.execute("return document.querySelector('#coord-answer').value")
            .await;
    assert_eq!(
        answer
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref(),
        Some("Paul")
    );
    // The guide §4.1: from the coordinates to the address and password.
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    ui.c.close().await;
}

// ---- change of address and password together against the service ------------------------------

/// A change of address with a new password, against the service: the pending screen, the old
/// address (and old password) still working before activation, the activation wizard with the
/// code from the e-mail really received, the summary PDF, then only the new address and the new
/// password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_of_address_and_password_together_against_the_service() {
    let s = AgainstService::start(NewAccount {
        email: "ancienne@example.fr".into(),
        first_name: "Élodie".into(),
        last_name: "FRANÇOIS".into(),
        phone: "0498765432".into(),
        address: "3 place de l'Église, 21000 Dijon, FRANCE".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Besançon".into(),
        dossiers: vec![
            ("000299001".into(), "SARL MARTIN DISTRIBUTION".into()),
            ("000299002".into(), "SCI LES TILLEULS".into()),
        ],
        ..Default::default()
    })
    .await;
    let (smtp, number) = (&s.smtp, s.number.clone());
    let ui = s.window().await;

    log_in(&ui, "ancienne@example.fr", PASSWORD).await;
    let home = ui.wait_text(&format!("Abonné : {number}")).await;
    assert!(
        home.contains("SCI LES TILLEULS"),
        "several companies: {home}"
    );
    ui.press("Gérer les services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    let email_box = ui
        .by_label("Modifier mon adresse électronique ancienne@example.fr")
        .await;
    ui.c.click(&email_box).await;
    let password_box = ui
        .by_label("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.c.click(&password_box).await;
    ui.type_into("Nouvelle adresse électronique", "nouvelle@example.fr")
        .await;
    ui.type_into(
        "Confirmez votre nouvelle adresse électronique",
        "nouvelle@example.fr",
    )
    .await;
    ui.type_into("Nouveau mot de passe", NEW_PASSWORD).await;
    ui.type_into("Confirmez votre nouveau mot de passe", NEW_PASSWORD)
        .await;
    ui.shot("50-credentials-both").await;
    ui.press("Valider les modifications").await;

    // 1. The pending screen.
    let pending = ui.wait_text("Activation de votre espace abonné").await;
    for expected in [
        "nouvelle@example.fr",
        "48 h",
        "ce code n'est pas un mot de passe.",
        "Votre nouveau mot de passe prendra effet à l'activation",
        "Un avis a aussi été envoyé à votre adresse actuelle (ancienne@example.fr)",
    ] {
        assert!(
            pending.contains(expected),
            "{expected:?} not in:\n{pending}"
        );
    }
    ui.shot("51-activation-pending-with-password").await;
    assert_accessible(&ui, "activation-pending").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Création ou modification de l'espace"
                && m.envelope_to == ["nouvelle@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).expect("a code in the e-mail");
    assert!(!mail.body.contains(NEW_PASSWORD) && !mail.body.contains(PASSWORD));

    // 2. Before activation: only the old address, with the old password.
    ui.press("OK").await;
    let home = ui.wait_text("en attente : nouvelle@example.fr").await;
    assert!(home.contains(&format!("Abonné : {number}")), "{home}");
    assert_accessible(&ui, "home-change-pending").await;
    ui.press("Quitter").await;
    log_in_refused(&ui, "nouvelle@example.fr", NEW_PASSWORD).await;
    log_in_refused(&ui, "ancienne@example.fr", NEW_PASSWORD).await;
    log_in(&ui, "ancienne@example.fr", PASSWORD).await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.press("Quitter").await;

    // 3. The activation wizard, from the log-in screen, not logged in.
    ui.press("Activer mon espace / mes services").await;
    ui.wait_text("Code d'activation").await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    ui.type_into("Saisissez le code d'activation : *", &code)
        .await;
    ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
        .await;
    ui.press("Continuer").await;
    ui.wait_text("Saisissez votre adresse électronique de connexion")
        .await;
    ui.shot("52-activation-address").await;
    assert_accessible(&ui, "activation-address").await;
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        "nouvelle@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    let done = ui.wait_text("Votre inscription a été réalisée le").await;
    assert!(done.contains(&format!("sous le numéro {number}")), "{done}");
    ui.shot("53-activation-summary-service").await;
    assert_accessible(&ui, "activation-summary").await;

    // 4. The summary PDF, saved through the test folder and read back. It holds the security
    // answer, which the code alone does not give: the password is asked first (SPEC §2.8).
    ui.press("Sauvegardez ou imprimez le récapitulatif").await;
    ui.wait_text("Votre réponse de confiance ne s'affiche qu'après la saisie")
        .await;
    ui.type_into("Mot de passe actuel", NEW_PASSWORD).await;
    ui.press("Continuer").await;
    ui.wait_text("Récapitulatif enregistré").await;
    let pdf = s
        .summary_dir()
        .join("recapitulatif-espace-professionnel.pdf");
    let text = pdftotext(&pdf);
    for expected in [
        "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
        "FRANÇOIS",
        "Élodie",
        &number,
        "0498765432",
        "nouvelle@example.fr",
        // The address, one part per line.
        "3 place de l'Église\n21000 Dijon\nFRANCE",
        "Votre ville natale ?",
        "Besançon",
        "document créé le",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the saved PDF:\n{text}"
        );
    }
    assert!(!text.contains("ancienne@example.fr"), "{text}");

    // 5. After activation: the old address is refused, the new one works with the new password.
    ui.press("Accédez à vos services en ligne").await;
    log_in_refused(&ui, "ancienne@example.fr", PASSWORD).await;
    log_in_refused(&ui, "ancienne@example.fr", NEW_PASSWORD).await;
    log_in_refused(&ui, "nouvelle@example.fr", PASSWORD).await;
    log_in(&ui, "nouvelle@example.fr", NEW_PASSWORD).await;
    let home = ui.wait_text(&format!("Abonné : {number}")).await;
    assert!(!home.contains("en attente"), "{home}");
    ui.c.close().await;
}

// ---- demo mode change of address from the demo mailbox ----------------------------------------

/// The embedded default: demo accounts, the code read from "Courriels (démo)", the activation
/// wizard, the summary saved through the test folder and read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_change_of_address_from_the_demo_mailbox() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(
        dir.path(),
        &[
            ("ESPACE_PRO_SUMMARY_DIR", dir.path().display().to_string()),
            ("ESPACE_PRO_CAPTCHA_TEST_ANSWER", "abcdef".into()),
        ],
    ))
    .await;
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    let login = ui.wait_text("Mot de passe de démonstration").await;
    assert!(login.contains("lila.rosemonde@example.fr"), "{login}");
    let demo_password = espace_pro_server::demo::DEMO_PASSWORD;

    log_in(&ui, "lila.rosemonde@example.fr", demo_password).await;
    let home = ui.wait_text("Abonné : ").await;
    assert!(
        home.contains("Je souhaite adhérer"),
        "no-company variant: {home}"
    );
    ui.press("Gérer les services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    let email_box = ui
        .by_label("Modifier mon adresse électronique lila.rosemonde@example.fr")
        .await;
    ui.c.click(&email_box).await;
    ui.type_into("Nouvelle adresse électronique", "lila.nouvelle@example.fr")
        .await;
    ui.type_into(
        "Confirmez votre nouvelle adresse électronique",
        "lila.nouvelle@example.fr",
    )
    .await;
    ui.press("Valider les modifications").await;
    let pending = ui.wait_text("Activation de votre espace abonné").await;
    assert!(
        pending.contains("lila.nouvelle@example.fr") && pending.contains("48 h"),
        "{pending}"
    );
    ui.shot("10-activation-pending").await;

    // The code, from the demo mailbox.
    ui.press("Courriels (démo)").await;
    let mailbox = ui.wait_text("Création ou modification de l'espace").await;
    let code = espace_pro_testkit::find_code(&mailbox).expect("a code in the demo mailbox");
    ui.shot("11-demo-mailbox").await;
    ui.press("Retour").await;
    ui.press("Activez votre espace abonné").await;
    ui.wait_text("Code d'activation").await;
    ui.type_into("Saisissez le code d'activation : *", &code)
        .await;
    ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
        .await;
    ui.shot("12-activation-code").await;
    ui.press("Continuer").await;
    ui.wait_text("Saisissez votre adresse électronique de connexion")
        .await;
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        "lila.nouvelle@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    let done = ui.wait_text("Votre inscription a été réalisée le").await;
    ui.shot("13-activation-summary").await;

    ui.press("Sauvegardez ou imprimez le récapitulatif").await;
    ui.type_into("Mot de passe actuel", demo_password).await;
    ui.press("Continuer").await;
    ui.wait_text("Récapitulatif enregistré").await;
    let pdf = dir.path().join("recapitulatif-espace-professionnel.pdf");
    let text = pdftotext(&pdf);
    for expected in [
        "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
        "ROSEMONDE",
        "Lila",
        "lila.nouvelle@example.fr",
        "Paul",
        "Le prénom de votre conjoint(e) ?",
        "document créé le",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the saved PDF:\n{text}"
        );
    }
    let number = done
        .split("sous le numéro ")
        .nth(1)
        .unwrap()
        .chars()
        .take(14)
        .collect::<String>();
    assert!(text.contains(&number), "{number} not in the PDF");

    ui.press("Accédez à vos services en ligne").await;
    log_in_refused(&ui, "lila.rosemonde@example.fr", demo_password).await;
    log_in(&ui, "lila.nouvelle@example.fr", demo_password).await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.c.close().await;
}

// ---- the session resumes after a restart and ends with quitter --------------------------------

/// The session survives a restart of the app (token in the keyring) and ends with "Quitter".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_resumes_after_a_restart_and_ends_with_quitter() {
    let s = AgainstService::start(NewAccount {
        email: "resume@example.fr".into(),
        first_name: "Jeanne".into(),
        last_name: "REPRISE".into(),
        ..Default::default()
    })
    .await;
    let number = &s.number;
    let ui = s.window().await;
    log_in(&ui, "resume@example.fr", PASSWORD).await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.c.close().await;

    // A new app process: straight to the home screen.
    let ui = s.window().await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.shot("20-session-resumed").await;
    ui.press("Quitter").await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.c.close().await;

    // After "Quitter", nothing is resumed.
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !ui.main_text().await.contains("Abonné"),
        "the session came back after Quitter"
    );
    ui.c.close().await;
}

// ---- forgotten password through the window ----------------------------------------------------

/// "Mot de passe oublié" in the window, with the code from the e-mail really received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgotten_password_through_the_window() {
    let s = AgainstService::start(NewAccount {
        email: "oubli@example.fr".into(),
        first_name: "Hélène".into(),
        last_name: "OUBLI".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Besançon".into(),
        ..Default::default()
    })
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.press("Mot de passe oublié").await;
    ui.type_into("Adresse électronique de connexion", "oubli@example.fr")
        .await;
    ui.press("Recevoir un code").await;
    ui.wait_text("un code vient d'y être envoyé").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Mot de passe oublié"
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.type_into("Code reçu par courriel", &code).await;
    ui.press("Continuer").await;
    ui.wait_text("Votre question de confiance : Votre ville natale ?")
        .await;
    assert_accessible(&ui, "forgotten-password-question").await;
    ui.type_into("Réponse de confiance", "Dijon").await;
    ui.type_into("Nouveau mot de passe", NEW_PASSWORD).await;
    ui.type_into("Confirmez votre nouveau mot de passe", NEW_PASSWORD)
        .await;
    ui.press("Valider le nouveau mot de passe").await;
    ui.wait_text("La réponse ne correspond pas à votre réponse de confiance.")
        .await;
    let answer = ui.by_label("Réponse de confiance").await;
    ui.c.clear(&answer).await;
    ui.c.send_keys(&answer, "besançon").await;
    ui.press("Valider le nouveau mot de passe").await;
    ui.wait_text("Votre mot de passe a été réinitialisé avec succès.")
        .await;
    ui.shot("30-forgotten-password-done").await;
    assert_accessible(&ui, "forgotten-password-done").await;
    ui.press("Se connecter").await;
    log_in(&ui, "oubli@example.fr", NEW_PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    ui.c.close().await;
}

// ---- a password change with the keyboard alone ------------------------------------------------

/// One whole procedure with the keyboard alone: log in, reach "Modifiez vos identifiants", change
/// the password, back home. No click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_with_the_keyboard_alone() {
    let s = AgainstService::start(NewAccount {
        email: "clavier@example.fr".into(),
        first_name: "Paul".into(),
        last_name: "CLAVIER".into(),
        ..Default::default()
    })
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    // Focus starts on the heading; the first Tab reaches the address field.
    keys(&ui, TAB).await;
    keys(&ui, "clavier@example.fr").await;
    keys(&ui, TAB).await;
    keys(&ui, PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Abonné : ").await;
    keys(&ui, TAB).await;
    keys(&ui, ENTER).await; // "Gérer les services"
    ui.wait_text("INFORMATIONS PERSONNELLES").await;
    keys(&ui, TAB).await; // "Gérer vos coordonnées"
    keys(&ui, TAB).await; // "Gérer votre adresse électronique de connexion / votre mot de passe"
    keys(&ui, ENTER).await;
    ui.wait_text("Modifiez vos identifiants.").await;
    keys(&ui, TAB).await; // "Modifier mon adresse électronique …"
    keys(&ui, TAB).await; // "Saisir mon nouveau mot de passe …"
    keys(&ui, SPACE).await;
    keys(&ui, TAB).await; // new password
    keys(&ui, NEW_PASSWORD).await;
    keys(&ui, TAB).await; // "Afficher"
    keys(&ui, TAB).await; // confirmation
    keys(&ui, NEW_PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Votre mot de passe a été réinitialisé avec succès.")
        .await;
    keys(&ui, TAB).await; // "OK"
    keys(&ui, ENTER).await;
    ui.wait_text("Abonné : ").await;
    smtp.wait_for(Duration::from_secs(15), |m| {
        m.envelope_to == ["clavier@example.fr".to_owned()]
    })
    .await;
    ui.c.close().await;
}

// ---- expired replayed codes and the five address limit in the window --------------------------

/// Codes as the user meets them: expired after 48 h (service clock moved through its test clock
/// file), replayed after use, and the change voided after five wrong addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_replayed_codes_and_the_five_address_limit_in_the_window() {
    let s = AgainstService::start(NewAccount {
        email: "codes@example.fr".into(),
        first_name: "Anne".into(),
        last_name: "CODE".into(),
        ..Default::default()
    })
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    const SUBJECT: &str = "Espace professionnel - Création ou modification de l'espace";

    async fn request_change(ui: &Ui, current: &str, new: &str) {
        ui.press("Gérer les services").await;
        ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
            .await;
        ui.wait_text("Modifiez vos identifiants.").await;
        let b = ui
            .by_label(&format!("Modifier mon adresse électronique {current}"))
            .await;
        ui.c.click(&b).await;
        ui.type_into("Nouvelle adresse électronique", new).await;
        ui.type_into("Confirmez votre nouvelle adresse électronique", new)
            .await;
        ui.press("Valider les modifications").await;
        ui.wait_text("Activation de votre espace abonné").await;
    }

    async fn enter_code(ui: &Ui, code: &str) {
        ui.wait_text("Code d'activation").await;
        ui.c.wait_for(
            "css selector",
            "#captcha-image[src^='data:image/png']",
            WAIT,
        )
        .await;
        ui.type_into("Saisissez le code d'activation : *", code)
            .await;
        ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
            .await;
        ui.press("Continuer").await;
    }

    log_in(&ui, "codes@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;

    // 1. Expired: 48 h and 1 min later.
    request_change(&ui, "codes@example.fr", "codes.a@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.a@example.fr".to_owned()]
        })
        .await;
    let expired = espace_pro_testkit::find_code(&mail.body).unwrap();
    s.service.set_clock_offset(48 * 3600 + 60);
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &expired).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;
    ui.shot("40-code-expired").await;
    assert_accessible(&ui, "code-expired").await;

    // 2. Used once, then replayed.
    ui.c.close().await;
    let ui = s.window().await;
    // 48 hours on the service's clock also ended the session (30 minutes idle): log in again.
    log_in(&ui, "codes@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    request_change(&ui, "codes@example.fr", "codes.b@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.b@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &code).await;
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        "codes.b@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    // Two days after the account was made: the recap gives the registration day (the one in
    // the subscriber number, as the guide does), and the activation day apart.
    let done = ui.wait_text("Votre inscription a été réalisée le").await;
    let registered = format!(
        "Votre inscription a été réalisée le {} sous le numéro {}.",
        french_date_of_number(&s.number),
        s.number
    );
    assert!(done.contains(&registered), "{registered:?} in {done}");
    assert!(done.contains("Activation de votre espace : "), "{done}");
    ui.press("Accédez à vos services en ligne").await;
    ui.press("Activer mon espace / mes services").await;
    enter_code(&ui, &code).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;

    // 3. Five wrong addresses void the change.
    ui.c.close().await;
    let ui = s.window().await;
    log_in(&ui, "codes.b@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    request_change(&ui, "codes.b@example.fr", "codes.c@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.c@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &code).await;
    for n in 1..=4 {
        let field = ui
            .by_label("Saisissez votre adresse électronique de connexion : *")
            .await;
        ui.c.clear(&field).await;
        ui.c.send_keys(&field, &format!("faux{n}@example.fr")).await;
        ui.press("Continuer").await;
        ui.wait_text(&format!("({} essai", 5 - n)).await;
    }
    let field = ui
        .by_label("Saisissez votre adresse électronique de connexion : *")
        .await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, "faux5@example.fr").await;
    ui.press("Continuer").await;
    ui.wait_text("Trop d'adresses erronées ont été saisies")
        .await;
    ui.shot("41-code-locked").await;
    assert_accessible(&ui, "code-locked").await;
    ui.c.close().await;
}

// ---- every screen passes axe at wcag 2 2 aa ---------------------------------------------------

/// Every screen of the demo, checked by axe-core at WCAG 2.2 AA: no violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_passes_axe_at_wcag_2_2_aa() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    let mut violations = Vec::new();
    let mut screens = 0;
    let mut check = async |ui: &Ui, name: &str| {
        screens += 1;
        violations.extend(axe(ui, name).await);
    };

    ui.wait_text("Mot de passe de démonstration").await;
    check(&ui, "login").await;
    ui.press("Connexion").await; // empty: the error summary and field messages
    ui.wait_text("Ce champ est obligatoire.").await;
    check(&ui, "login-errors").await;
    ui.press("English").await;
    ui.wait_text("Log in to my professional account").await;
    check(&ui, "login-en").await;
    ui.press("Français").await;
    ui.press("Dépannage").await;
    ui.wait_text("Attention au hameçonnage").await;
    check(&ui, "help").await;
    ui.press("Retour").await;
    ui.press("Mot de passe oublié").await;
    ui.wait_text("Recevoir un code").await;
    check(&ui, "forgot").await;
    ui.press("Annuler").await;
    ui.press("Activer mon espace / mes services").await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    check(&ui, "activate").await;
    ui.press("Courriels (démo)").await;
    ui.wait_text("Courriels (démo)").await;
    check(&ui, "mailbox").await;
    ui.press("Retour").await;
    ui.press("Annuler").await;

    log_in(
        &ui,
        "cabinet.lefevre@example.fr",
        espace_pro_server::demo::DEMO_PASSWORD,
    )
    .await;
    ui.wait_text("MES DOSSIERS").await;
    check(&ui, "home-several").await;
    ui.press("Activité récente").await;
    ui.wait_text("Date et heure").await;
    check(&ui, "activity").await;
    ui.press("Retour à l'accueil").await;
    ui.press("Gérer les services").await;
    ui.wait_text("INFORMATIONS PERSONNELLES").await;
    check(&ui, "services").await;
    ui.press("Gérer vos coordonnées").await;
    ui.wait_text("Question de confiance").await;
    check(&ui, "coordinates").await;
    ui.press("Annuler").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    let b = ui
        .by_label("Modifier mon adresse électronique cabinet.lefevre@example.fr")
        .await;
    ui.c.click(&b).await;
    let b = ui
        .by_label("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.c.click(&b).await;
    ui.type_into("Nouveau mot de passe", "Orage5").await;
    check(&ui, "credentials").await;

    assert!(screens >= 12);
    assert!(
        violations.is_empty(),
        "axe-core violations on {screens} screens:\n{}",
        violations.join("\n")
    );
}

/// "25 août 2023" for a subscriber number registered that day (year, then day of the year).
fn french_date_of_number(number: &str) -> String {
    let number: espace_pro_contract::SubscriberNumber = number.parse().unwrap();
    espace_pro_server::dates::long_french(number.registered_on())
}

// ---- a service that never answers --------------------------------------------------------------

/// A service that accepts the connection and never answers: the log-in screen is there as soon
/// as the window is, the banner says the service cannot be reached (with "Réessayer"), and
/// "Dépannage" shows the hotline bundled with the app. Before, the window stayed blank ~30 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_service_leaves_the_window_usable_with_a_banner() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // Accepts every connection and keeps it, saying nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming() {
            held.push(stream);
        }
    });
    let (_driver, port) =
        start_driver(&app_env(dir.path(), &[("ESPACE_PRO_SERVICE_URL", url)])).await;
    let began = std::time::Instant::now();
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    let window_up = began.elapsed();
    // Usable at once: the form is there within a second of the window, long before the app
    // gives up on the service (3 s).
    let email =
        ui.c.wait_for("css selector", "#login-email", Duration::from_secs(1))
            .await;
    assert!(
        ui.c.find("css selector", "#service-banner:not([hidden])")
            .await
            .is_err(),
        "the form came only after the app gave up on the service"
    );
    ui.c.send_keys(&email, "lila@example.fr").await;
    let banner =
        ui.c.wait_for("css selector", "#service-banner:not([hidden])", WAIT)
            .await;
    let banner_text = ui.c.text(&banner).await;
    let banner_after = began.elapsed();
    println!("window up after {window_up:?}, banner after {banner_after:?}");
    assert!(
        banner_text.contains("Le service est injoignable"),
        "{banner_text}"
    );
    assert!(banner_text.contains("Réessayer"), "{banner_text}");
    // What was typed is kept.
    let typed =
        ui.c.execute("return document.getElementById('login-email').value")
            .await
            .unwrap();
    assert_eq!(typed, "lila@example.fr");
    ui.shot("silent-service-banner").await;
    // Retrying asks again, and says so again.
    ui.press("Réessayer").await;
    ui.c.wait_for("css selector", "#service-banner:not([hidden])", WAIT)
        .await;
    ui.press("Dépannage").await;
    let help = ui.wait_text("0 809 400 210").await;
    assert!(help.contains("Une assistance aux téléprocédures"), "{help}");
    assert_accessible(&ui, "silent-service-help").await;
    ui.c.close().await;
}

// ---- the current password asked before it is refused --------------------------------------------

/// The password change form shows "Mot de passe actuel" as soon as the service says a change
/// will need it, here when the 5 minutes run out while the form is open: the first "Valider les
/// modifications" goes through instead of being refused for a missing field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_password_is_asked_before_the_first_refusal() {
    let s = AgainstService::start(NewAccount {
        email: "lila.rosemonde@example.fr".into(),
        first_name: "Lila".into(),
        last_name: "ROSEMONDE".into(),
        ..Default::default()
    })
    .await;
    let ui = s.window().await;
    log_in(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    ui.wait_text(&format!("Abonné : {}", s.number)).await;
    ui.press("Gérer les services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    let shown = async |ui: &Ui| {
        ui.c.execute(
            "return document.querySelector('#current-password').closest('[hidden]') === null",
        )
        .await
        .unwrap()
            == true
    };
    assert!(!shown(&ui).await, "not needed right after logging in");
    // The delay runs out while the form is open.
    s.service.set_clock_offset(6 * 60);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !shown(&ui).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the field never appeared"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ui.shot("credentials-current-password-shown").await;
    assert_accessible(&ui, "credentials-current-password-shown").await;
    let checkbox = ui
        .by_label("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.c.click(&checkbox).await;
    ui.type_into("Nouveau mot de passe", NEW_PASSWORD).await;
    ui.type_into("Confirmez votre nouveau mot de passe", NEW_PASSWORD)
        .await;
    ui.type_into("Mot de passe actuel", PASSWORD).await;
    ui.press("Valider les modifications").await;
    ui.wait_text("Votre mot de passe a été réinitialisé avec succès.")
        .await;
    ui.c.close().await;
}

// ---- the whole procedure in English ------------------------------------------------------------

/// Every screen in English, against the real service: log-in (refused, then accepted), help,
/// forgotten password (with the meter judging as the service does), home, activity, services,
/// contact details, credentials (refused fields, then a change of address), the pending notice,
/// the activation wizard (a wrong address, then the right one) and its recap. On each: no French
/// text outside of the e-mails and the user's data, and axe-core at WCAG 2.2 AA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_english_without_a_french_word() {
    let s = AgainstService::start(NewAccount {
        email: "english@example.fr".into(),
        first_name: "Gwen".into(),
        last_name: "QUIMPERLE".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Brest".into(),
        ..Default::default()
    })
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    let mut french = Vec::new();
    let mut screens = 0;
    let mut check = async |ui: &Ui, name: &str| {
        screens += 1;
        for text in french_texts(ui).await {
            french.push(format!("{name}: {text}"));
        }
        assert_accessible(ui, &format!("en-{name}")).await;
    };

    ui.wait_text("Connexion à mon espace professionnel").await;
    // The detector sees French where there is French (the page marked English for the test).
    ui.c.execute("document.documentElement.lang = 'en'")
        .await
        .unwrap();
    let on_french_screen = french_texts(&ui).await;
    ui.c.execute("document.documentElement.lang = 'fr'")
        .await
        .unwrap();
    assert!(
        on_french_screen
            .iter()
            .any(|t| t.contains("Mot de passe oublié")),
        "{on_french_screen:?}"
    );
    ui.press("English").await;
    ui.wait_text("Log in to my professional account").await;
    check(&ui, "login").await;

    // A refusal from the service, in English.
    ui.type_into("E-mail address", "english@example.fr").await;
    ui.type_into("Password", "Not7The8Right9Password0").await;
    ui.press("Log in").await;
    ui.wait_text("Wrong e-mail address or password").await;
    check(&ui, "login-refused").await;

    ui.press("Troubleshooting").await;
    ui.wait_text("Beware of phishing").await;
    // The service's contacts, in English once it has been asked in English.
    ui.wait_text("Monday to Friday").await;
    check(&ui, "help").await;
    ui.press("Back").await;
    ui.press("Settings").await;
    ui.wait_text("Service in use").await;
    ui.wait_text("Chosen by the ESPACE_PRO_SERVICE_URL variable.")
        .await;
    check(&ui, "settings").await;
    ui.press("Back").await;

    // Forgotten password: the service's notice and refusals in English; the meter knows the
    // account from the words the service sends with the question.
    ui.press("Forgotten password").await;
    ui.type_into("Login e-mail address", "english@example.fr")
        .await;
    ui.press("Receive a code").await;
    ui.wait_text("a code has just been sent").await;
    check(&ui, "forgot-sent").await;
    ui.type_into("Code received by e-mail", "ABCDEFGHIJKL")
        .await;
    ui.press("Continue").await;
    ui.wait_text("This code is not recognised for this address")
        .await;
    check(&ui, "forgot-unknown-code").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Mot de passe oublié"
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    let field = ui.by_label("Code received by e-mail").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, &code).await;
    ui.press("Continue").await;
    ui.wait_text("Your security question: Votre ville natale ?")
        .await;
    // Name and subscriber number: strong for a meter that does not know them, too weak for the
    // service, and so for the meter.
    let own = format!("Quimperle{}", s.number);
    ui.type_into("New password", &own).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let level = ui.text_of("forgot-new-password-level").await;
    assert!(
        !level.contains("Strong") && !level.contains("strong"),
        "the meter calls {own:?} {level:?}"
    );
    let strong_met = ui
        .c
        .execute("return document.querySelector('[data-rule=strong]').classList.contains('met')")
        .await
        .unwrap();
    assert_eq!(strong_met, false, "{level}");
    check(&ui, "forgot-question").await;
    ui.type_into("Security answer", "Brest").await;
    ui.type_into("Confirm your new password", &own).await;
    ui.press("Confirm the new password").await;
    ui.wait_text("The new password cannot be accepted: it is too easy to guess")
        .await;
    check(&ui, "forgot-refused").await;
    ui.press("Cancel").await;

    // Logged in.
    ui.wait_text("Log in to my professional account").await;
    for (label, value) in [
        ("E-mail address", "english@example.fr"),
        ("Password", PASSWORD),
    ] {
        let field = ui.by_label(label).await;
        ui.c.clear(&field).await;
        ui.c.send_keys(&field, value).await;
    }
    ui.press("Log in").await;
    ui.wait_text(&format!("Subscriber: {}", s.number)).await;
    check(&ui, "home").await;
    ui.press("Recent activity").await;
    ui.wait_text("Date and time").await;
    ui.wait_text("Log-in").await;
    check(&ui, "activity").await;
    ui.press("Back to home").await;
    ui.press("Manage services").await;
    ui.wait_text("PERSONAL INFORMATION").await;
    check(&ui, "services").await;
    ui.press("Manage your contact details").await;
    ui.wait_text("Security question").await;
    check(&ui, "coordinates").await;
    ui.press("Cancel").await;
    ui.press("Manage your login e-mail address / your password")
        .await;
    ui.wait_text("Change your login details.").await;
    let b = ui
        .by_label("Enter my new password: (20 characters minimum)")
        .await;
    ui.c.click(&b).await;
    ui.type_into("New password", "azertyuiop").await;
    ui.type_into("Confirm your new password", "azertyuiop")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ui.press("Validate the changes").await;
    ui.wait_text("The password must have at least 20 characters.")
        .await;
    check(&ui, "credentials-refused").await;
    ui.c.click(&b).await;
    let b = ui
        .by_label("Change my e-mail address english@example.fr")
        .await;
    ui.c.click(&b).await;
    ui.type_into("New e-mail address", "english.new@example.fr")
        .await;
    ui.type_into("Confirm your new e-mail address", "english.new@example.fr")
        .await;
    ui.press("Validate the changes").await;
    ui.wait_text("Activating your subscriber account").await;
    check(&ui, "pending").await;

    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.envelope_to == ["english.new@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activate your subscriber account").await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    check(&ui, "activate-code").await;
    ui.type_into("Enter the activation code: *", &code).await;
    ui.type_into("Copy the characters in the image: *", "abcdef")
        .await;
    ui.press("Continue").await;
    ui.type_into("Enter your login e-mail address: *", "wrong@example.fr")
        .await;
    ui.press("Continue").await;
    ui.wait_text("(4 tries left)").await;
    ui.wait_text("This is not the new address requested").await;
    check(&ui, "activate-wrong-address").await;
    let field = ui.by_label("Enter your login e-mail address: *").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, "english.new@example.fr").await;
    ui.press("Continue").await;
    ui.wait_text("Your registration was completed on").await;
    check(&ui, "recap").await;

    assert!(screens >= 17, "{screens} screens");
    assert!(
        french.is_empty(),
        "French text in English mode:\n{}",
        french.join("\n")
    );
    ui.c.close().await;
}

// ---- each procedure speaks of itself -----------------------------------------------------------

/// A field's message is that field's, and the recovery speaks of the recovery: an over-long
/// address at a change of address, an unknown recovery code, and the summary PDF dated in Paris.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_belong_to_their_field_and_procedure() {
    let s = AgainstService::start(NewAccount {
        email: "champs@example.fr".into(),
        first_name: "Marc".into(),
        last_name: "CHAMP".into(),
        ..Default::default()
    })
    .await;
    let ui = s.window().await;
    ui.press("Mot de passe oublié").await;
    ui.type_into("Adresse électronique de connexion", "champs@example.fr")
        .await;
    ui.press("Recevoir un code").await;
    ui.wait_text("Il est valable 60 minutes").await;
    ui.type_into("Code reçu par courriel", "ABCDEFGHIJKL").await;
    ui.press("Continuer").await;
    let text = ui
        .wait_text("Ce code n'est pas reconnu pour cette adresse")
        .await;
    assert!(!text.contains("code d'activation n'est pas"), "{text}");
    ui.shot("recovery-unknown-code").await;
    ui.press("Annuler").await;

    log_in(&ui, "champs@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    ui.press("Gérer les services").await;
    ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
        .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    let b = ui
        .by_label("Modifier mon adresse électronique champs@example.fr")
        .await;
    ui.c.click(&b).await;
    // Longer than the service takes (the field's own limit is lifted to let it through).
    let long = format!("{}@example.fr", "a".repeat(250));
    ui.c.execute(
        "document.querySelectorAll('input').forEach((i) => i.removeAttribute('maxlength'))",
    )
    .await
    .unwrap();
    ui.type_into("Nouvelle adresse électronique", &long).await;
    ui.type_into("Confirmez votre nouvelle adresse électronique", &long)
        .await;
    ui.press("Valider les modifications").await;
    let text = ui.wait_text("Saisissez une adresse électronique de").await;
    let beside = ui.text_of("new-email-error").await;
    assert!(beside.contains("adresse électronique"), "{beside}");
    assert!(!text.contains("mot de passe doit"), "{text}");
    ui.shot("field-message-email-too-long").await;
    assert_accessible(&ui, "field-message-email-too-long").await;
    ui.press("Annuler").await;

    // The summary PDF is dated in Paris, whatever the computer's zone.
    ui.press("Gérer vos coordonnées").await;
    ui.wait_text("Récapitulatif de vos données personnelles")
        .await;
    ui.press("Sauvegardez ou imprimez le récapitulatif").await;
    ui.wait_text("Récapitulatif enregistré").await;
    let pdf = s
        .summary_dir()
        .join("recapitulatif-espace-professionnel.pdf");
    let out = std::process::Command::new("pdfinfo")
        .arg("-isodates")
        .arg(&pdf)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    let paris = espace_pro_contract::TimeZone::paris().local(time::OffsetDateTime::now_utc());
    let offset = format!("+{:02}", paris.offset().whole_hours());
    let created = info
        .lines()
        .find(|l| l.starts_with("CreationDate:"))
        .unwrap_or_default()
        .to_owned();
    assert!(created.ends_with(&offset), "{created} (Paris is {offset})");
    ui.c.close().await;
}

// ---- the service chosen in "Paramètres" ---------------------------------------------------------

/// From the log-in screen's header: a plain http:// address of another computer is refused, a
/// real service is checked then used, its session survives a restart of the app, the choice is
/// in a private settings file, and demo mode can be chosen again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_choose_a_service_and_keep_it() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let smtp = espace_pro_testkit::SmtpListener::start().await;
    let service = support::service::ServiceProcess::start_with(dir.path(), &smtp, &[]).await;
    service.create_account(
        &NewAccount {
            email: "reglages@example.fr".into(),
            first_name: "Régis".into(),
            last_name: "REGLAGE".into(),
            ..Default::default()
        },
        PASSWORD,
    );
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    ui.wait_text("Mot de passe de démonstration").await;
    ui.press("Paramètres").await;
    ui.wait_text("Service utilisé").await;
    ui.wait_text("Mode démo : le service tourne sur cet ordinateur")
        .await;
    ui.shot("60-settings-demo").await;
    assert_accessible(&ui, "settings-demo").await;

    // Plain http to another computer: refused, nothing saved.
    ui.type_into("Adresse du service", "http://example.com")
        .await;
    ui.press("Tester et utiliser ce service").await;
    ui.wait_text("Saisissez une adresse qui commence par https://")
        .await;
    assert_accessible(&ui, "settings-refused").await;
    let config = dir.path().join("home/config/fr.espacepro.desktop");
    assert!(!config.join("settings.json").exists());

    // The real service: checked, then used.
    let field = ui.by_label("Adresse du service").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, &service.url()).await;
    ui.press("Tester").await;
    ui.wait_text("(version ").await;
    ui.press("Tester et utiliser ce service").await;
    ui.wait_text("Service utilisé désormais").await;
    let login = ui.main_text().await;
    assert!(!login.contains("Mot de passe de démonstration"), "{login}");
    let badge_hidden =
        ui.c.execute("return document.getElementById('demo-badge').hidden")
            .await
            .unwrap();
    assert_eq!(badge_hidden, true);
    let saved = std::fs::read_to_string(config.join("settings.json")).unwrap();
    assert!(saved.contains(&service.url()), "{saved}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(config.join("settings.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    log_in(&ui, "reglages@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    ui.c.close().await;

    // The app again: the same service, and its session resumed from the keyring.
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    ui.wait_text("Abonné : ").await;
    ui.press("Quitter").await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.press("Paramètres").await;
    let shown = ui.wait_text("Choisi dans ces paramètres.").await;
    assert!(shown.contains(&service.url()), "{shown}");
    assert!(shown.contains("Le service répond."), "{shown}");

    // Back to demo mode, explicitly.
    ui.press("Utiliser le mode démo").await;
    ui.wait_text("Mot de passe de démonstration").await;
    let saved = std::fs::read_to_string(config.join("settings.json")).unwrap();
    assert!(saved.contains("\"demo\": true"), "{saved}");
    ui.c.close().await;
}

/// An installer made for an organisation's service (here through the test switch that stands
/// for `cargo xtask package --service-url`) starts against it; when it cannot be reached the app
/// says so and offers the settings, never the demo silently; demo mode and the way back to the
/// organisation's service are in the settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_packaged_service_is_the_default_and_never_silently_the_demo() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}", espace_pro_testkit::reserve_port());
    let (_driver, port) = start_driver(&app_env(
        dir.path(),
        &[("ESPACE_PRO_TEST_PACKAGED_URL", closed.clone())],
    ))
    .await;
    let ui = Ui {
        c: WebDriver::connect(port, APP).await,
    };
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.c.wait_for(
        "css selector",
        "#service-banner:not([hidden])",
        Duration::from_secs(10),
    )
    .await;
    let login = ui.main_text().await;
    assert!(!login.contains("Mot de passe de démonstration"), "{login}");
    let settings =
        ui.c.wait_for("css selector", "#service-settings", WAIT)
            .await;
    ui.c.click(&settings).await;
    let shown = ui.wait_text("Service de votre organisation").await;
    assert!(shown.contains(&closed), "{shown}");
    assert!(shown.contains("ne répond pas"), "{shown}");
    assert_accessible(&ui, "settings-packaged-unreachable").await;
    ui.press("Utiliser le mode démo").await;
    ui.wait_text("Mot de passe de démonstration").await;
    ui.press("Paramètres").await;
    ui.press(&format!(
        "Revenir au service de votre organisation ({closed})"
    ))
    .await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.c.wait_for(
        "css selector",
        "#service-banner:not([hidden])",
        Duration::from_secs(10),
    )
    .await;
    let login = ui.main_text().await;
    assert!(!login.contains("Mot de passe de démonstration"), "{login}");
    ui.c.close().await;
}

// ---- expiry reminders ----------------------------------------------------------------------------

/// A notification daemon (Debian's dunst) on the test display, stopped with the test.
struct Dunst(std::process::Child);

impl Dunst {
    async fn start() -> Self {
        let child = std::process::Command::new("dunst")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dunst (cargo xtask test installs it)");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !std::process::Command::new("dunstctl")
            .args(["count", "history"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            assert!(std::time::Instant::now() < deadline, "dunst did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self(child)
    }

    /// Every notification received so far (the ones still shown are closed into the history
    /// first), as dunstctl prints them.
    fn history(&self) -> String {
        let _ = std::process::Command::new("dunstctl")
            .arg("close-all")
            .status();
        let out = std::process::Command::new("dunstctl")
            .arg("history")
            .output()
            .expect("dunstctl history");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    async fn wait_for(&self, expected: &str, times: usize) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let history = self.history();
            if history.matches(expected).count() >= times {
                return history;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{times} × {expected:?} never in the notifications:\n{history}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// 29 days before the password expires (the service's clock moved), the home screen shows the
/// banner leading to the change and a desktop notification is shown, once for the 30-day
/// threshold; 6 days before, a second one for the 7-day threshold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_expiry_reminder_as_a_banner_and_a_notification() {
    let s = AgainstService::start(NewAccount {
        email: "rappel@example.fr".into(),
        first_name: "Rémi".into(),
        last_name: "RAPPEL".into(),
        ..Default::default()
    })
    .await;
    let dunst = Dunst::start().await;
    const TITLE: &str = "Espace Pro : votre mot de passe expire bientôt";
    let today = espace_pro_contract::TimeZone::paris().date(time::OffsetDateTime::now_utc());
    let expires = espace_pro_server::dates::password_valid_until(today, 3);
    let shift = (expires - today).whole_days() - 29;
    s.service.set_clock_offset(shift * 86_400);

    let ui = s.window().await;
    log_in(&ui, "rappel@example.fr", PASSWORD).await;
    ui.wait_text("Votre mot de passe expire dans 29 jours")
        .await;
    ui.shot("70-expiry-banner").await;
    assert_accessible(&ui, "expiry-banner").await;
    let history = dunst.wait_for("dans 29 jours", 1).await;
    assert!(history.contains(TITLE), "{history}");
    // How many times one notification shows its title in the history (summary, message).
    let once = history.matches(TITLE).count();
    // The banner leads to the change.
    ui.press("Changer mon mot de passe").await;
    ui.wait_text("Modifiez vos identifiants.").await;
    ui.c.close().await;

    // The app again (the session resumed, the home screen checked again): no second
    // notification for the same threshold.
    let ui = s.window().await;
    ui.wait_text("Votre mot de passe expire dans 29 jours")
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(dunst.history().matches(TITLE).count(), once);
    ui.c.close().await;

    // Six days before: the 7-day threshold.
    s.service.set_clock_offset((shift + 23) * 86_400);
    let ui = s.window().await;
    log_in(&ui, "rappel@example.fr", PASSWORD).await;
    ui.wait_text("Votre mot de passe expire dans 6 jours").await;
    let history = dunst.wait_for("dans 6 jours", 1).await;
    assert_eq!(history.matches(TITLE).count(), 2 * once, "{history}");
    ui.c.close().await;
}

// ---- links from the e-mails ------------------------------------------------------------------------

/// The line of `body` that is an espace-pro:// link.
fn link_in(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| l.starts_with("espace-pro://"))
        .expect("a link in the e-mail")
        .to_owned()
}

/// Starts the app a second time with `link`, as the system does when a link is clicked: it hands
/// the link to the running app and exits.
async fn open_in_running_app(s: &AgainstService, link: &str) {
    let mut second = std::process::Command::new(APP);
    second.arg(link).envs(s.app_env());
    let mut child = second.spawn().expect("the app, a second time");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the second start failed: {status}");
            return;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the second start did not hand its link over and exit");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The activation e-mail's link starts the app at the activation wizard with the code filled in
/// and the CAPTCHA shown; with the app running, a malformed link changes nothing and says so, and
/// the recovery e-mail's link is handed to the running app, which opens the recovery with its
/// code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_from_the_e_mails_open_the_procedure() {
    let s = AgainstService::start(NewAccount {
        email: "lien@example.fr".into(),
        first_name: "Line".into(),
        last_name: "LIEN".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Lille".into(),
        ..Default::default()
    })
    .await;
    // The change of address, asked through the API.
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/v1/sessions", s.service.url()))
        .json(&serde_json::json!({"email": "lien@example.fr", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let asked = http
        .post(format!("{}/v1/account/email-change", s.service.url()))
        .bearer_auth(token)
        .json(&serde_json::json!({"new_email": "lien.nouveau@example.fr", "confirm_email": "lien.nouveau@example.fr"}))
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_success(), "{}", asked.status());
    let mail = s
        .smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.envelope_to == ["lien.nouveau@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    let link = link_in(&mail.body);
    assert_eq!(link, format!("espace-pro://activation?code={code}"));

    // The app closed: started by the link.
    let ui = s.window_with_args(&[&link]).await;
    ui.wait_text("Le code d'activation vient du lien du courriel")
        .await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    let filled =
        ui.c.execute("return document.querySelector('#activation-code').value")
            .await
            .unwrap();
    assert_eq!(filled.as_str(), Some(code.as_str()));
    ui.shot("80-activation-from-link").await;
    assert_accessible(&ui, "activation-from-link").await;
    ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
        .await;
    ui.press("Continuer").await;
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        "lien.nouveau@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    ui.wait_text("Votre inscription a été réalisée le").await;

    // The app running: a malformed link is refused, and the screen stays as it was.
    open_in_running_app(&s, "espace-pro://activation?code=pas-un-code").await;
    let text = ui
        .wait_text("Ce lien n'est pas un lien Espace Pro valide")
        .await;
    assert!(
        text.contains("Votre inscription a été réalisée le"),
        "{text}"
    );

    // The recovery e-mail's link, handed to the running app.
    let asked = http
        .post(format!("{}/v1/password-recovery", s.service.url()))
        .json(&serde_json::json!({"email": "lien.nouveau@example.fr"}))
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_success());
    let mail = s
        .smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Mot de passe oublié"
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    let link = link_in(&mail.body);
    assert_eq!(link, format!("espace-pro://recovery?code={code}"));
    open_in_running_app(&s, &link).await;
    ui.wait_text("Le code vient du lien du courriel").await;
    let filled =
        ui.c.execute("return document.querySelector('#forgot-code').value")
            .await
            .unwrap();
    assert_eq!(filled.as_str(), Some(code.as_str()));
    assert_accessible(&ui, "recovery-from-link").await;
    ui.type_into(
        "Adresse électronique de connexion",
        "lien.nouveau@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    ui.wait_text("Votre question de confiance").await;
    ui.c.close().await;
}

// ---- several accounts: switched, quit one, quit all, forgotten ---------------------------------

/// The token the keyring holds for `number`'s session on `url` (read with secret-tool, as any
/// program of the user could).
fn keyring_token(url: &str, number: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "fr.espacepro.desktop", "username"])
        .arg(format!("session@{url}#{number}"))
        .output()
        .expect("secret-tool (libsecret-tools) is installed by cargo xtask test");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!token.is_empty()).then_some(token)
}

/// What the log-in screen's list shows for `number`.
async fn listed(ui: &Ui, number: &str) -> Option<String> {
    let e =
        ui.c.find("css selector", &format!("[data-account='{number}']"))
            .await
            .ok()?;
    Some(ui.c.text(&e).await)
}

async fn wait_listed(ui: &Ui, number: &str, signed_in: bool) -> String {
    let what = format!("{number} listed with signed_in={signed_in}");
    eventually(&what, Duration::from_secs(20), async || {
        match listed(ui, number).await {
            Some(text) if text.contains("session ouverte") == signed_in => Ok(text),
            _ => Err(format!("the screen shows:\n{}", ui.main_text().await)),
        }
    })
    .await
}

/// The home screen of the account `number` (the log-in screen's list also shows numbers).
async fn wait_home(ui: &Ui, number: &str) {
    let what = format!("the home screen of {number}");
    eventually(&what, Duration::from_secs(20), async || {
        let home =
            ui.c.execute("return document.body.dataset.screen === 'home'")
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
        let text = ui.main_text().await;
        match home && text.contains(&format!("Abonné : {number}")) {
            true => Ok(()),
            false => Err(format!("the screen shows:\n{text}")),
        }
    })
    .await
}

/// An accountant with two companies' accounts: both listed on the log-in screen (address and
/// number, no password anywhere), each with its own keyring entry; switching takes up the
/// other's session without its password; "Quitter" ends one session, "Tout quitter" every one
/// (the service revokes the tokens); "Oublier" takes an account off the list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_switched_quit_one_quit_all_forgotten() {
    let s = AgainstService::start(NewAccount {
        email: "cabinet.a@example.fr".into(),
        first_name: "Alix".into(),
        last_name: "PREMIER".into(),
        ..Default::default()
    })
    .await;
    let a = s.number.clone();
    let b = s.service.create_account(
        &NewAccount {
            email: "cabinet.b@example.fr".into(),
            first_name: "Basile".into(),
            last_name: "SECOND".into(),
            ..Default::default()
        },
        PASSWORD,
    );
    let url = s.service.url();
    // A session kept by a version before several accounts (one entry per service): carried
    // over to A's own entry at the first start, the old entry deleted.
    let http = reqwest::Client::new();
    let legacy: serde_json::Value = http
        .post(format!("{url}/v1/sessions"))
        .json(&serde_json::json!({"email": "cabinet.a@example.fr", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let legacy_token = legacy["token"].as_str().unwrap().to_owned();
    let legacy_vault = espace_pro_client::SessionVault::new("fr.espacepro.desktop", &url);
    legacy_vault
        .save(&espace_pro_contract::Secret::new(legacy_token.clone()))
        .unwrap();
    let ui = s.window().await;
    wait_home(&ui, &a).await;
    assert!(
        legacy_vault.load().unwrap().is_none(),
        "the old entry is left"
    );
    assert_eq!(
        keyring_token(&url, &a).as_deref(),
        Some(legacy_token.as_str())
    );

    // "Changer de compte": A stays open; B logs in with the form.
    ui.press("Changer de compte").await;
    wait_listed(&ui, &a, true).await;
    log_in(&ui, "cabinet.b@example.fr", PASSWORD).await;
    wait_home(&ui, &b).await;
    ui.press("Changer de compte").await;
    let listed_a = wait_listed(&ui, &a, true).await;
    let listed_b = wait_listed(&ui, &b, true).await;
    assert!(listed_a.contains("cabinet.a@example.fr") && listed_b.contains("cabinet.b@example.fr"));
    // Most recent first.
    let order = ui.main_text().await;
    assert!(
        order.find("cabinet.b@").unwrap() < order.find("cabinet.a@").unwrap(),
        "{order}"
    );
    assert_accessible(&ui, "log-in with two accounts").await;
    ui.shot("60-two-accounts").await;
    let (token_a, token_b) = (
        keyring_token(&url, &a).expect("A's entry"),
        keyring_token(&url, &b).expect("B's entry"),
    );
    assert_ne!(token_a, token_b);
    let file = s
        .dir
        .path()
        .join("home/config/fr.espacepro.desktop/accounts.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains(&a) && saved.contains(&b), "{saved}");
    assert!(!saved.contains(PASSWORD) && !saved.contains(&token_a) && !saved.contains(&token_b));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "accounts.json is private");
    }

    // "Continuer" with A: its session, without the password.
    let use_a =
        ui.c.wait_for("css selector", &format!("#account-use-{a}"), WAIT)
            .await;
    ui.c.click(&use_a).await;
    wait_home(&ui, &a).await;

    // A restart takes up the account last in use.
    ui.c.close().await;
    let ui = s.window().await;
    wait_home(&ui, &a).await;
    ui.shot("61-home-of-two-accounts").await;

    // "Quitter" ends A's session only: its token is revoked; B's stays.
    ui.press("Quitter").await;
    wait_listed(&ui, &a, false).await;
    wait_listed(&ui, &b, true).await;
    assert!(keyring_token(&url, &a).is_none());
    let account_with = async |token: &str| {
        http.get(format!("{url}/v1/account"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(account_with(&token_a).await, 401, "A's token still works");
    assert_eq!(account_with(&token_b).await, 200);

    // A without a session: the form gets its address and asks for its password.
    let use_a =
        ui.c.wait_for("css selector", &format!("#account-use-{a}"), WAIT)
            .await;
    ui.c.click(&use_a).await;
    eventually(
        "A's address in the form",
        Duration::from_secs(10),
        async || {
            let filled =
                ui.c.execute("return document.querySelector('#login-email').value")
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned));
            match filled.as_deref() {
                Some("cabinet.a@example.fr") => Ok(()),
                other => Err(format!("the field holds {other:?}")),
            }
        },
    )
    .await;
    let focused = ui.c.active().await;
    assert_eq!(
        ui.c.attr(&focused, "id").await.as_deref(),
        Some("login-password")
    );
    ui.c.send_keys(&focused, PASSWORD).await;
    ui.press("Connexion").await;
    wait_home(&ui, &a).await;
    let token_a = keyring_token(&url, &a).expect("A's new entry");

    // "Tout quitter": both sessions end at the service and in the keyring; both stay listed.
    ui.press("Tout quitter").await;
    ui.wait_text("Toutes les sessions de cet ordinateur sont fermées.")
        .await;
    wait_listed(&ui, &a, false).await;
    wait_listed(&ui, &b, false).await;
    assert!(keyring_token(&url, &a).is_none() && keyring_token(&url, &b).is_none());
    assert_eq!(account_with(&token_a).await, 401);
    assert_eq!(account_with(&token_b).await, 401);

    // "Oublier": off the list and out of the file.
    let forget_b =
        ui.c.wait_for("css selector", &format!("#account-forget-{b}"), WAIT)
            .await;
    ui.c.click(&forget_b).await;
    eventually(
        "B off the list",
        Duration::from_secs(10),
        async || match listed(&ui, &b).await {
            None => Ok(()),
            Some(text) => Err(format!("still listed: {text}")),
        },
    )
    .await;
    assert!(listed(&ui, &a).await.is_some());
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains(&b) && saved.contains(&a), "{saved}");

    // The list in English, without a French word.
    ui.press("English").await;
    ui.wait_text("Accounts used on this computer").await;
    let french = french_texts(&ui).await;
    assert!(french.is_empty(), "French left on the list: {french:?}");
    ui.c.close().await;
}
