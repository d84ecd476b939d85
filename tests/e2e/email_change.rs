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
        phone: "0498765432".into(),
        address: "3 place de l'Église, 21000 Dijon, FRANCE".into(),
        dossiers: vec![
            ("000299001".into(), "SARL MARTIN DISTRIBUTION".into()),
            ("000299002".into(), "SCI LES TILLEULS".into()),
        ],
        ..account_with_question(
            "ancienne@example.fr",
            "Élodie",
            "FRANÇOIS",
            "Votre ville natale ?",
            "Besançon",
        )
    })
    .await;
    let (smtp, number) = (&s.smtp, s.number.clone());
    let ui = s.window().await;

    let home = log_in_home(&ui, "ancienne@example.fr", PASSWORD, &number).await;
    assert!(
        home.contains("SCI LES TILLEULS"),
        "several companies: {home}"
    );
    open_credentials(&ui).await;
    fill_new_email(&ui, "ancienne@example.fr", "nouvelle@example.fr").await;
    fill_new_password(&ui, NEW_PASSWORD).await;
    ui.shot("50-credentials-both").await;
    ui.press("Valider les modifications").await;

    // 1. The pending screen.
    let pending = ui.wait_text("Activation de votre espace abonné").await;
    assert_holds_all(
        &pending,
        "the pending notice",
        &[
            "nouvelle@example.fr",
            "48 h",
            "ce code n'est pas un mot de passe.",
            "Votre nouveau mot de passe prendra effet à l'activation",
            "Un avis a aussi été envoyé à votre adresse actuelle (ancienne@example.fr)",
        ],
    );
    shot_and_axe(
        &ui,
        "51-activation-pending-with-password",
        "activation-pending",
    )
    .await;
    let mail = activation_mail(smtp, "nouvelle@example.fr").await;
    let code = code_in(&mail);
    assert!(!mail.body.contains(NEW_PASSWORD) && !mail.body.contains(PASSWORD));

    // 2. Before activation: only the old address, with the old password.
    let home = ui
        .press_and_see("OK", "en attente : nouvelle@example.fr")
        .await;
    assert!(home.contains(&format!("Abonné : {number}")), "{home}");
    assert_accessible(&ui, "home-change-pending").await;
    ui.press("Quitter").await;
    log_in_refused(&ui, "nouvelle@example.fr", NEW_PASSWORD).await;
    log_in_refused(&ui, "ancienne@example.fr", NEW_PASSWORD).await;
    log_in_home(&ui, "ancienne@example.fr", PASSWORD, &number).await;
    ui.press("Quitter").await;

    // 3. The activation wizard, from the log-in screen, not logged in.
    ui.press("Activer mon espace / mes services").await;
    enter_activation_code(&ui, &code).await;
    ui.wait_text("Saisissez votre adresse électronique de connexion")
        .await;
    shot_and_axe(&ui, "52-activation-address", "activation-address").await;
    let done = give_activation_address(&ui, "nouvelle@example.fr").await;
    assert!(done.contains(&format!("sous le numéro {number}")), "{done}");
    shot_and_axe(&ui, "53-activation-summary-service", "activation-summary").await;

    // 4. The summary PDF, saved through the test folder and read back. It holds the security
    // answer, which the code alone does not give: the password is asked first (SPEC §2.8).
    ui.press_and_see(
        "Sauvegardez ou imprimez le récapitulatif",
        "Votre réponse de confiance ne s'affiche qu'après la saisie",
    )
    .await;
    ui.type_into("Mot de passe actuel", NEW_PASSWORD).await;
    ui.press_and_see("Continuer", "Récapitulatif enregistré")
        .await;
    let text = pdftotext(&s.summary_pdf());
    assert_holds_all(
        &text,
        "the saved PDF",
        &[
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
        ],
    );
    assert!(!text.contains("ancienne@example.fr"), "{text}");
    // What a screen reader reads of it: its structure, each label the header of its value.
    let tree = pdf_structure(&s.summary_pdf());
    assert_holds_all(
        &tree,
        "the saved PDF's structure",
        &[
            "H1",
            "H2 (block)\n    \"Vos coordonnées\"",
            "\"Nom :\"\n      TD\n        \"FRANÇOIS\"",
            "\"Adresse électronique de\"\n        \"connexion :\"\n      TD\n        \"nouvelle@example.fr\"",
            "\"Réponse de confiance :\"\n      TD\n        \"Besançon\"",
        ],
    );

    // 5. After activation: the old address is refused, the new one works with the new password.
    ui.press("Accédez à vos services en ligne").await;
    log_in_refused(&ui, "ancienne@example.fr", PASSWORD).await;
    log_in_refused(&ui, "ancienne@example.fr", NEW_PASSWORD).await;
    log_in_refused(&ui, "nouvelle@example.fr", PASSWORD).await;
    let home = log_in_home(&ui, "nouvelle@example.fr", NEW_PASSWORD, &number).await;
    assert!(!home.contains("en attente"), "{home}");
    ui.c.close().await;
}
