//! Codes as the user meets them: expired, replayed, and the five-address limit.

use super::*;

// ---- expired replayed codes and the five address limit in the window --------------------------

/// Codes as the user meets them: expired after 48 h (service clock moved through its test clock
/// file), replayed after use, and the change voided after five wrong addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_replayed_codes_and_the_five_address_limit_in_the_window() {
    let s = AgainstService::start(NewAccount {
        email: "codes@example.fr".into(),
        first_name: "Anne".into(),
        last_name: "CODE".into(),
        ..Default::default()
    })
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    const SUBJECT: &str = "Espace professionnel - Création ou modification de l'espace";

    async fn request_change(ui: &Ui, current: &str, new: &str) {
        ui.press("Gérer les services").await;
        ui.press("Gérer votre adresse électronique de connexion / votre mot de passe")
            .await;
        ui.wait_text("Modifiez vos identifiants.").await;
        let b = ui
            .by_label(&format!("Modifier mon adresse électronique {current}"))
            .await;
        ui.c.click(&b).await;
        ui.type_into("Nouvelle adresse électronique", new).await;
        ui.type_into("Confirmez votre nouvelle adresse électronique", new)
            .await;
        ui.press("Valider les modifications").await;
        ui.wait_text("Activation de votre espace abonné").await;
    }

    async fn enter_code(ui: &Ui, code: &str) {
        ui.wait_text("Code d'activation").await;
        ui.c.wait_for(
            "css selector",
            "#captcha-image[src^='data:image/png']",
            WAIT,
        )
        .await;
        ui.type_into("Saisissez le code d'activation : *", code)
            .await;
        ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
            .await;
        ui.press("Continuer").await;
    }

    log_in(&ui, "codes@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;

    // 1. Expired: 48 h and 1 min later.
    request_change(&ui, "codes@example.fr", "codes.a@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.a@example.fr".to_owned()]
        })
        .await;
    let expired = espace_pro_testkit::find_code(&mail.body).unwrap();
    s.service.set_clock_offset(48 * 3600 + 60);
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &expired).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;
    ui.shot("40-code-expired").await;
    assert_accessible(&ui, "code-expired").await;

    // 2. Used once, then replayed.
    ui.c.close().await;
    let ui = s.window().await;
    // 48 hours on the service's clock also ended the session (30 minutes idle): log in again.
    log_in(&ui, "codes@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    request_change(&ui, "codes@example.fr", "codes.b@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.b@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &code).await;
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        "codes.b@example.fr",
    )
    .await;
    ui.press("Continuer").await;
    // Two days after the account was made: the recap gives the registration day (the one in
    // the subscriber number, as the guide does), and the activation day apart.
    let done = ui.wait_text("Votre inscription a été réalisée le").await;
    let registered = format!(
        "Votre inscription a été réalisée le {} sous le numéro {}.",
        french_date_of_number(&s.number),
        s.number
    );
    assert!(done.contains(&registered), "{registered:?} in {done}");
    assert!(done.contains("Activation de votre espace : "), "{done}");
    ui.press("Accédez à vos services en ligne").await;
    ui.press("Activer mon espace / mes services").await;
    enter_code(&ui, &code).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;

    // 3. Five wrong addresses void the change.
    ui.c.close().await;
    let ui = s.window().await;
    log_in(&ui, "codes.b@example.fr", PASSWORD).await;
    ui.wait_text("Abonné : ").await;
    request_change(&ui, "codes.b@example.fr", "codes.c@example.fr").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == SUBJECT && m.envelope_to == ["codes.c@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activez votre espace abonné").await;
    enter_code(&ui, &code).await;
    for n in 1..=4 {
        let field = ui
            .by_label("Saisissez votre adresse électronique de connexion : *")
            .await;
        ui.c.clear(&field).await;
        ui.c.send_keys(&field, &format!("faux{n}@example.fr")).await;
        ui.press("Continuer").await;
        ui.wait_text(&format!("({} essai", 5 - n)).await;
    }
    let field = ui
        .by_label("Saisissez votre adresse électronique de connexion : *")
        .await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, "faux5@example.fr").await;
    ui.press("Continuer").await;
    ui.wait_text("Trop d'adresses erronées ont été saisies")
        .await;
    ui.shot("41-code-locked").await;
    assert_accessible(&ui, "code-locked").await;
    ui.c.close().await;
}
