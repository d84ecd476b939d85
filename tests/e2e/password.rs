//! Logging in and changing the password: through the window, with a configured minimum, with the keyboard alone, and the current password asked before it is refused.

use super::*;

// ---- log in and change the password through the window ----------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn log_in_and_change_the_password_through_the_window() {
    let s = AgainstService::start(NewAccount {
        civility: "Mme".into(),
        phone: "0123456789".into(),
        address: "12 rue de Longchamp, 75016 Paris, FRANCE".into(),
        dossiers: vec![("000299001".into(), "SARL MARTIN DISTRIBUTION".into())],
        ..lila_with_question()
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

    let services = ui
        .press_and_see("Gérer les services", "INFORMATIONS PERSONNELLES")
        .await;
    assert!(services.contains("SERVICES EN LIGNE") && services.contains("DOSSIERS"));
    ui.shot("04-services").await;
    press_manage_credentials(&ui).await;

    ui.tick("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
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
    ui.press_and_see(
        "Valider les modifications",
        "Les deux mots de passe ne sont pas identiques.",
    )
    .await;
    ui.shot("06-credentials-error").await;
    ui.type_into("Confirmez votre nouveau mot de passe", "e")
        .await;
    let done = ui
        .press_and_see(
            "Valider les modifications",
            "Votre mot de passe a été réinitialisé avec succès.",
        )
        .await;
    // The service dates the change in Paris: after 23:00 UTC that is already tomorrow.
    let today = espace_pro_contract::TimeZone::paris().date(time::OffsetDateTime::now_utc());
    let until = espace_pro_server::dates::password_valid_until(today, 3);
    let expected = format!(
        "Ce mot de passe est valable jusqu'au {}.",
        espace_pro_server::dates::long_french(until)
    );
    assert!(done.contains(&expected), "{done}");
    shot_and_axe(&ui, "07-password-done", "password-done").await;

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
    ui.press_and_see("OK", &format!("Abonné : {number}")).await;
    ui.press("Quitter").await;
    log_in_refused(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    log_in_home(&ui, "lila.rosemonde@example.fr", NEW_PASSWORD, &number).await;

    ui.c.close().await;
}

// ---- a configured password minimum in the screens and the messages ----------------------------

/// The service runs with `--password-min-chars 24`: the screens quote 24 (checkbox label, meter
/// rule, field message, in French and in English) and so does the service's refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_password_minimum_in_the_screens_and_the_messages() {
    let s = AgainstService::start_with(lila(), &["--password-min-chars", "24"]).await;
    let ui = window_at_home(&s, "lila.rosemonde@example.fr").await;
    open_credentials(&ui).await;
    ui.tick("Saisir mon nouveau mot de passe : (24 caractères minimum)")
        .await;
    ui.wait_text("Au moins 24 caractères").await;

    // 22 characters: enough by the guide's 20, not for this service.
    let short = "Orage5Pivoine8Fanal3Ze";
    ui.type_into("Nouveau mot de passe", short).await;
    ui.type_into("Confirmez votre nouveau mot de passe", short)
        .await;
    let refused = ui
        .press_and_see(
            "Valider les modifications",
            "Le mot de passe doit compter au moins 24 caractères.",
        )
        .await;
    assert!(
        refused.contains("il doit compter au moins 24 caractères"),
        "the service's message: {refused}"
    );
    assert!(!refused.contains("20 caractères"), "{refused}");
    ui.shot("min-24-refused").await;

    ui.press_and_see("English", "Enter my new password: (24 characters minimum)")
        .await;
    ui.press_and_see("Français", "Modifiez vos identifiants.")
        .await;
    ui.c.close().await;
}

// ---- a password change with the keyboard alone ------------------------------------------------

/// One whole procedure with the keyboard alone: log in, reach "Modifiez vos identifiants", change
/// the password, back home. No click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_with_the_keyboard_alone() {
    let s = AgainstService::start(account("clavier@example.fr", "Paul", "CLAVIER")).await;
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
    mail_to(smtp, "clavier@example.fr").await;
    ui.c.close().await;
}

// ---- the current password asked before it is refused --------------------------------------------

/// The password change form shows "Mot de passe actuel" as soon as the service says a change
/// will need it, here when the 5 minutes run out while the form is open: the first "Valider les
/// modifications" goes through instead of being refused for a missing field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_password_is_asked_before_the_first_refusal() {
    let s = AgainstService::start(lila()).await;
    let ui = window_at_home(&s, "lila.rosemonde@example.fr").await;
    open_credentials(&ui).await;
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
    shot_and_axe(
        &ui,
        "credentials-current-password-shown",
        "credentials-current-password-shown",
    )
    .await;
    fill_new_password(&ui, NEW_PASSWORD).await;
    ui.type_into("Mot de passe actuel", PASSWORD).await;
    ui.press_and_see(
        "Valider les modifications",
        "Votre mot de passe a été réinitialisé avec succès.",
    )
    .await;
    ui.c.close().await;
}
