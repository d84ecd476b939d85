//! Demo mode: the change of address with the code from the demo mailbox.

use super::*;

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
    let ui = Ui::connect(port).await;
    let login = ui.wait_text("Mot de passe de démonstration").await;
    assert!(login.contains("lila.rosemonde@example.fr"), "{login}");
    let demo_password = espace_pro_server::demo::DEMO_PASSWORD;

    let home = log_in_home(&ui, "lila.rosemonde@example.fr", demo_password, "").await;
    assert!(
        home.contains("Je souhaite adhérer"),
        "no-company variant: {home}"
    );
    let pending =
        request_new_email(&ui, "lila.rosemonde@example.fr", "lila.nouvelle@example.fr").await;
    assert!(
        pending.contains("lila.nouvelle@example.fr") && pending.contains("48 h"),
        "{pending}"
    );
    ui.shot("10-activation-pending").await;

    // The code, from the demo mailbox.
    let mailbox = ui
        .press_and_see("Courriels (démo)", "Création ou modification de l'espace")
        .await;
    let code = espace_pro_testkit::find_code(&mailbox).expect("a code in the demo mailbox");
    ui.shot("11-demo-mailbox").await;
    ui.press("Retour").await;
    ui.press_and_see("Activez votre espace abonné", "Code d'activation")
        .await;
    ui.type_into("Saisissez le code d'activation : *", &code)
        .await;
    ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
        .await;
    ui.shot("12-activation-code").await;
    ui.press_and_see(
        "Continuer",
        "Saisissez votre adresse électronique de connexion",
    )
    .await;
    let done = give_activation_address(&ui, "lila.nouvelle@example.fr").await;
    ui.shot("13-activation-summary").await;

    ui.press("Sauvegardez ou imprimez le récapitulatif").await;
    ui.type_into("Mot de passe actuel", demo_password).await;
    ui.press_and_see("Continuer", "Récapitulatif enregistré")
        .await;
    let pdf = dir.path().join("recapitulatif-espace-professionnel.pdf");
    let text = pdftotext(&pdf);
    assert_holds_all(
        &text,
        "the saved PDF",
        &[
            "RÉCAPITULATIF DE VOS DONNÉES PERSONNELLES",
            "ROSEMONDE",
            "Lila",
            "lila.nouvelle@example.fr",
            "Paul",
            "Le prénom de votre conjoint(e) ?",
            "document créé le",
        ],
    );
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
    log_in_home(&ui, "lila.nouvelle@example.fr", demo_password, &number).await;
    ui.c.close().await;
}

/// The demo's account with a second factor: its key, printed on the log-in screen, in an
/// authenticator (here `oathtool`) gives the code the log-in asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_account_with_a_second_factor() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui::connect(port).await;
    let login = ui
        .wait_text("Compte protégé par la double authentification")
        .await;
    let printed = ui.text_of("demo-second-factor").await;
    let key: String = printed
        .rsplit(':')
        .next()
        .unwrap()
        .trim()
        .trim_end_matches('.')
        .split_whitespace()
        .collect();
    assert_eq!(
        key,
        espace_pro_server::demo::DEMO_SECOND_FACTOR_SECRET,
        "{login}"
    );
    log_in(
        &ui,
        espace_pro_server::demo::DEMO_SECOND_FACTOR_ACCOUNT,
        espace_pro_server::demo::DEMO_PASSWORD,
    )
    .await;
    ui.wait_text("Code de double authentification").await;
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", &key, &format!("--now=@{at}")])
        .output()
        .unwrap();
    let code = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    ui.type_into("Code de double authentification", &code).await;
    ui.press_and_see("Connexion", "Abonné : ").await;
    ui.c.close().await;
}
