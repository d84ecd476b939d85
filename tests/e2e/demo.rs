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
