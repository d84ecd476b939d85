//! "Mot de passe oublié" through the window, and messages that belong to their procedure.

use super::*;

// ---- forgotten password through the window ----------------------------------------------------

/// "Mot de passe oublié" in the window, with the code from the e-mail really received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgotten_password_through_the_window() {
    let s = AgainstService::start(account_with_question(
        "oubli@example.fr",
        "Hélène",
        "OUBLI",
        "Votre ville natale ?",
        "Besançon",
    ))
    .await;
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    ask_recovery_code(&ui, "oubli@example.fr").await;
    ui.wait_text("un code vient d'y être envoyé").await;
    let code = code_in(&recovery_mail(&s.smtp).await);
    ui.type_into("Code reçu par courriel", &code).await;
    ui.press_and_see(
        "Continuer",
        "Votre question de confiance : Votre ville natale ?",
    )
    .await;
    assert_accessible(&ui, "forgotten-password-question").await;
    ui.type_into("Réponse de confiance", "Dijon").await;
    ui.type_into("Nouveau mot de passe", NEW_PASSWORD).await;
    ui.type_into("Confirmez votre nouveau mot de passe", NEW_PASSWORD)
        .await;
    ui.press_and_see(
        "Valider le nouveau mot de passe",
        "La réponse ne correspond pas à votre réponse de confiance.",
    )
    .await;
    ui.retype("Réponse de confiance", "besançon").await;
    ui.press_and_see(
        "Valider le nouveau mot de passe",
        "Votre mot de passe a été réinitialisé avec succès.",
    )
    .await;
    shot_and_axe(&ui, "30-forgotten-password-done", "forgotten-password-done").await;
    ui.press("Se connecter").await;
    log_in_home(&ui, "oubli@example.fr", NEW_PASSWORD, "").await;
    ui.c.close().await;
}

// ---- each procedure speaks of itself -----------------------------------------------------------

/// A field's message is that field's, and the recovery speaks of the recovery: an over-long
/// address at a change of address, an unknown recovery code, and the summary PDF dated in Paris.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_belong_to_their_field_and_procedure() {
    let s = AgainstService::start(account("champs@example.fr", "Marc", "CHAMP")).await;
    let ui = s.window().await;
    ask_recovery_code(&ui, "champs@example.fr").await;
    ui.wait_text("Il est valable 60 minutes").await;
    ui.type_into("Code reçu par courriel", "ABCDEFGHIJKL").await;
    let text = ui
        .press_and_see("Continuer", "Ce code n'est pas reconnu pour cette adresse")
        .await;
    assert!(!text.contains("code d'activation n'est pas"), "{text}");
    ui.shot("recovery-unknown-code").await;
    ui.press("Annuler").await;

    log_in_home(&ui, "champs@example.fr", PASSWORD, "").await;
    open_credentials(&ui).await;
    ui.tick("Modifier mon adresse électronique champs@example.fr")
        .await;
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
    let text = ui
        .press_and_see(
            "Valider les modifications",
            "Saisissez une adresse électronique de",
        )
        .await;
    let beside = ui.text_of("new-email-error").await;
    assert!(beside.contains("adresse électronique"), "{beside}");
    assert!(!text.contains("mot de passe doit"), "{text}");
    shot_and_axe(
        &ui,
        "field-message-email-too-long",
        "field-message-email-too-long",
    )
    .await;
    ui.press("Annuler").await;

    // The summary PDF is dated in Paris, whatever the computer's zone.
    ui.press_and_see(
        "Gérer vos coordonnées",
        "Récapitulatif de vos données personnelles",
    )
    .await;
    ui.press_and_see(
        "Sauvegardez ou imprimez le récapitulatif",
        "Récapitulatif enregistré",
    )
    .await;
    let out = std::process::Command::new("pdfinfo")
        .arg("-isodates")
        .arg(s.summary_pdf())
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
