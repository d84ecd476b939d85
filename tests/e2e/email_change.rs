//! A change of address and password together, against the service.

use super::*;

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
