//! The procedures with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing, never a
//! click, the focus visible on every control it lands on (`tab_to`).

use super::support::service::CAPTCHA_ANSWER;
use super::*;

/// In the demo, with the keyboard alone: the settings, the forgotten password's form, the
/// activation with the CAPTCHA's audio, the log-in, the coordinates changed and saved, and a
/// switch of account and back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_procedures_with_the_keyboard_alone() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui::connect(port).await;
    ui.wait_text("Mot de passe de démonstration").await;

    enter_on(&ui, "Paramètres").await;
    ui.wait_text("Service utilisé").await;
    enter_on(&ui, "Retour").await;
    ui.wait_text("Mot de passe de démonstration").await;

    enter_on(&ui, "Mot de passe oublié").await;
    ui.wait_text("Recevoir un code").await;
    enter_on(&ui, "Annuler").await;
    ui.wait_text("Mot de passe de démonstration").await;

    enter_on(&ui, "Activer mon espace / mes services").await;
    ui.wait_captcha().await;
    tab_to(&ui, "Écouter l'extrait sonore", false).await;
    keys(&ui, SPACE).await;
    // The audio is loaded when asked for, by the button.
    eventually("the CAPTCHA's audio", WAIT, async || {
        ui.script_says(
            "const a = document.querySelector('#captcha-audio');
             return a.src.startsWith('data:audio') && (!a.paused || a.currentTime > 0 || a.error !== null || a.readyState > 0)",
        )
        .await
        .then_some(())
        .ok_or("not loaded".to_owned())
    })
    .await;
    enter_on(&ui, "Annuler").await;
    ui.wait_text("Mot de passe de démonstration").await;

    tab_to(&ui, "Adresse électronique", false).await;
    keys(&ui, "cabinet.lefevre@example.fr").await;
    tab_to(&ui, "Mot de passe", false).await;
    keys(&ui, espace_pro_server::demo::DEMO_PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("MES DOSSIERS").await;

    enter_on(&ui, "Gérer les services").await;
    ui.wait_text("INFORMATIONS PERSONNELLES").await;
    enter_on(&ui, "Gérer vos coordonnées").await;
    ui.wait_text("Question de confiance").await;
    tab_to(&ui, "Enregistrer les coordonnées", false).await;
    // Back up to the telephone, which is above.
    tab_to(&ui, "Téléphone", true).await;
    // End, then Backspace until the field is empty, then the new number.
    keys(&ui, &format!("\u{E010}{}0612345678", "\u{E003}".repeat(20))).await;
    enter_on(&ui, "Enregistrer les coordonnées").await;
    ui.wait_text("Vos coordonnées sont enregistrées.").await;

    enter_on(&ui, "Changer de compte").await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    enter_on(&ui, "Continuer avec cabinet.lefevre@example.fr").await;
    ui.wait_text("MES DOSSIERS").await;
    enter_on(&ui, "Gérer les services").await;
    enter_on(&ui, "Gérer vos coordonnées").await;
    ui.wait_text("Question de confiance").await;
    let phone =
        ui.c.execute("return document.querySelector('#coord-phone').value")
            .await
            .unwrap();
    assert_eq!(phone, "0612345678");
    ui.c.close().await;
}

/// Types `text` into the field `label` names, reached with Tab.
async fn tab_and_type(ui: &Ui, label: &str, text: &str) {
    tab_to(ui, label, false).await;
    keys(ui, text).await;
}

/// Logs in with the keyboard alone, from the log-in screen, and waits for the home screen.
async fn log_in_by_keyboard(ui: &Ui, email: &str, password: &str) {
    ui.wait_text("Connexion à mon espace professionnel").await;
    tab_and_type(ui, "Adresse électronique", email).await;
    tab_and_type(ui, "Mot de passe", password).await;
    keys(ui, ENTER).await;
    ui.wait_text("Abonné : ").await;
}

/// The change of login address with the keyboard alone, from the request to the activation
/// (code, CAPTCHA, address) and the summary saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_change_to_its_recap_with_the_keyboard_alone() {
    let s = AgainstService::start(account_with_question(
        "touches@example.fr",
        "Yann",
        "TOUCHES",
        "Votre ville natale ?",
        "Quimper",
    ))
    .await;
    let ui = s.window().await;
    log_in_by_keyboard(&ui, "touches@example.fr", PASSWORD).await;
    enter_on(&ui, "Gérer les services").await;
    enter_on(
        &ui,
        "Gérer votre adresse électronique de connexion / votre mot de passe",
    )
    .await;
    ui.wait_text("Modifiez vos identifiants.").await;
    tab_to(
        &ui,
        "Modifier mon adresse électronique touches@example.fr",
        false,
    )
    .await;
    keys(&ui, SPACE).await;
    tab_and_type(
        &ui,
        "Nouvelle adresse électronique",
        "clavier.neuf@example.fr",
    )
    .await;
    tab_and_type(
        &ui,
        "Confirmez votre nouvelle adresse électronique",
        "clavier.neuf@example.fr",
    )
    .await;
    keys(&ui, ENTER).await;
    ui.wait_text("Activation de votre espace abonné").await;
    let code = code_in(&activation_mail(&s.smtp, "clavier.neuf@example.fr").await);

    enter_on(&ui, "Activez votre espace abonné").await;
    ui.wait_captcha().await;
    tab_and_type(&ui, "Saisissez le code d'activation : *", &code).await;
    tab_and_type(
        &ui,
        "Recopiez les caractères de l'image : *",
        CAPTCHA_ANSWER,
    )
    .await;
    keys(&ui, ENTER).await;
    ui.wait_text("Saisissez votre adresse électronique de connexion")
        .await;
    tab_and_type(
        &ui,
        "Saisissez votre adresse électronique de connexion : *",
        "clavier.neuf@example.fr",
    )
    .await;
    keys(&ui, ENTER).await;
    ui.wait_text("Votre inscription a été réalisée le").await;

    enter_on(&ui, "Sauvegardez ou imprimez le récapitulatif").await;
    tab_and_type(&ui, "Mot de passe actuel", PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Récapitulatif enregistré").await;
    assert!(pdftotext(&s.summary_pdf()).contains("clavier.neuf@example.fr"));
    ui.c.close().await;
}

/// The forgotten password with the keyboard alone: the code asked, typed, the question
/// answered and the new password set, then a log-in with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_with_the_keyboard_alone() {
    let s = AgainstService::start(account_with_question(
        "oubli.clavier@example.fr",
        "Anne",
        "CLAVIER",
        "Votre ville natale ?",
        "Brest",
    ))
    .await;
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    enter_on(&ui, "Mot de passe oublié").await;
    tab_and_type(
        &ui,
        "Adresse électronique de connexion",
        "oubli.clavier@example.fr",
    )
    .await;
    keys(&ui, ENTER).await;
    ui.wait_text("un code vient d'y être envoyé").await;
    let code = code_in(&recovery_mail(&s.smtp).await);
    tab_and_type(&ui, "Code reçu par courriel", &code).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Votre question de confiance : Votre ville natale ?")
        .await;
    tab_and_type(&ui, "Réponse de confiance", "Brest").await;
    tab_and_type(&ui, "Nouveau mot de passe", NEW_PASSWORD).await;
    tab_and_type(&ui, "Confirmez votre nouveau mot de passe", NEW_PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Votre mot de passe a été réinitialisé avec succès.")
        .await;
    enter_on(&ui, "Se connecter").await;
    log_in_by_keyboard(&ui, "oubli.clavier@example.fr", NEW_PASSWORD).await;
    ui.c.close().await;
}

/// The account-security screens with the keyboard alone: "Double authentification" turned on
/// (the first code typed) and off, "Appareils connectés" with another device disconnected, and
/// "Télécharger mes données" saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_security_screens_with_the_keyboard_alone() {
    let s = AgainstService::start(account("clavier.secu@example.fr", "Inès", "CLAVIER")).await;
    // Another device, which will be disconnected.
    let other: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/sessions", s.service.url()))
        .json(
            &serde_json::json!({"email": "clavier.secu@example.fr", "password": PASSWORD,
            "device_id": "fedcba9876543210fedcba9876543210", "device_name": "Tablette"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(other["token"].is_string(), "{other}");
    let ui = s.window().await;
    log_in_by_keyboard(&ui, "clavier.secu@example.fr", PASSWORD).await;

    enter_on(&ui, "Double authentification").await;
    ui.wait_text("La double authentification n'est pas activée")
        .await;
    tab_and_type(&ui, "Mot de passe actuel", PASSWORD).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Associez votre application").await;
    let key: String = ui.text_of("totp-secret").await.split_whitespace().collect();
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let code = std::process::Command::new("oathtool")
        .args(["--totp", "-b", &key, &format!("--now=@{at}")])
        .output()
        .unwrap();
    let code = String::from_utf8(code.stdout).unwrap().trim().to_owned();
    // The code field has the focus already.
    keys(&ui, &code).await;
    keys(&ui, ENTER).await;
    ui.wait_text("Vos 10 codes de secours").await;
    let first: String =
        ui.c.execute("return document.querySelector('#totp-codes code').textContent")
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
    enter_on(&ui, "Enregistrer les codes").await;
    ui.wait_text("Codes enregistrés").await;
    enter_on(&ui, "J'ai gardé mes codes").await;
    ui.wait_text("Codes de secours non utilisés : 10 sur 10.")
        .await;
    tab_and_type(&ui, "Mot de passe actuel", PASSWORD).await;
    tab_and_type(&ui, "Code à 6 chiffres ou code de secours", &first).await;
    keys(&ui, ENTER).await;
    ui.wait_text("La double authentification est désactivée")
        .await;

    enter_on(&ui, "Retour à l'accueil").await;
    enter_on(&ui, "Appareils connectés").await;
    ui.wait_text("Tablette").await;
    enter_on(&ui, "Déconnecter Tablette").await;
    ui.wait_text("Tablette est déconnecté.").await;

    enter_on(&ui, "Retour à l'accueil").await;
    enter_on(&ui, "Télécharger mes données").await;
    enter_on(&ui, "Enregistrer mes données").await;
    ui.wait_text("Données enregistrées").await;
    ui.c.close().await;
}
