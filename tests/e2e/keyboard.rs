//! The procedures with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing, never a
//! click, the focus visible on every control it lands on (`tab_to`).

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
