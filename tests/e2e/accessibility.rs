//! Every screen checked by axe-core at WCAG 2.2 AA and through AT-SPI, as a screen reader hears it.

use super::*;

// ---- every screen passes axe at wcag 2 2 aa ---------------------------------------------------

/// Every screen of the demo, checked by axe-core at WCAG 2.2 AA (no violation) and as a screen
/// reader gets it through AT-SPI (see `Heard::problems`); a refusal puts the focus on the error
/// summary, an alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_passes_axe_at_wcag_2_2_aa() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui::connect(port).await;
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
    assert_alert_focused(&ui, "login-errors").await;
    check(&ui, "login-errors").await;
    ui.press_and_see("English", "Log in to my professional account")
        .await;
    check(&ui, "login-en").await;
    ui.press("Français").await;
    let help = ui
        .press_and_see("Dépannage", "Attention au hameçonnage")
        .await;
    // The accessibility statement: the standard, what is checked, what is not yet.
    for part in [
        "Déclaration d'accessibilité",
        "RGAA 4.1",
        "EN 301 549",
        "partiellement conforme",
        "Limites connues",
        "lecteur d'écran reçoit du système",
        "est balisé (PDF/UA-1)",
        "CAPTCHA sonore",
    ] {
        assert!(help.contains(part), "{part:?} in {help}");
    }
    check(&ui, "help").await;
    ui.press("Retour").await;
    ui.press_and_see("Mot de passe oublié", "Recevoir un code")
        .await;
    check(&ui, "forgot").await;
    ui.press("Annuler").await;
    ui.press("Activer mon espace / mes services").await;
    ui.wait_captcha().await;
    check(&ui, "activate").await;
    ui.press_and_see("Courriels (démo)", "Courriels (démo)")
        .await;
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
    ui.press_and_see("Activité récente", "Date et heure").await;
    check(&ui, "activity").await;
    ui.press("Retour à l'accueil").await;
    ui.press_and_see("Gérer les services", "INFORMATIONS PERSONNELLES")
        .await;
    check(&ui, "services").await;
    ui.press_and_see("Gérer vos coordonnées", "Question de confiance")
        .await;
    check(&ui, "coordinates").await;
    ui.press("Annuler").await;
    press_manage_credentials(&ui).await;
    ui.tick("Modifier mon adresse électronique cabinet.lefevre@example.fr")
        .await;
    ui.tick("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.type_into("Nouveau mot de passe", "Orage5").await;
    check(&ui, "credentials").await;

    assert!(screens >= 12);
    assert!(
        violations.is_empty(),
        "axe-core violations on {screens} screens:\n{}",
        violations.join("\n")
    );
}
