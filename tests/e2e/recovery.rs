//! "Mot de passe oublié" through the window, and messages that belong to their procedure.

use super::*;

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
