//! Codes as the user meets them: expired, replayed, and the five-address limit.

use super::*;

/// Logs in as `current`, asks for the change of address to `new`, and returns the activation
/// code the e-mail to `new` brings.
async fn change_code(
    ui: &Ui,
    smtp: &espace_pro_testkit::SmtpListener,
    current: &str,
    new: &str,
) -> String {
    log_in_home(ui, current, PASSWORD, "").await;
    request_new_email(ui, current, new).await;
    code_in(&activation_mail(smtp, new).await)
}

/// The activation wizard's second step with an address that is not the new one.
async fn wrong_activation_address(ui: &Ui, email: &str) {
    ui.retype(
        "Saisissez votre adresse électronique de connexion : *",
        email,
    )
    .await;
    ui.press("Continuer").await;
}

// ---- expired replayed codes and the five address limit in the window --------------------------

/// Codes as the user meets them: expired after 48 h (service clock moved through its test clock
/// file), replayed after use, and the change voided after five wrong addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_replayed_codes_and_the_five_address_limit_in_the_window() {
    let s = AgainstService::start(account("codes@example.fr", "Anne", "CODE")).await;
    let smtp = &s.smtp;
    let ui = s.window().await;

    // 1. Expired: 48 h and 1 min later.
    let expired = change_code(&ui, smtp, "codes@example.fr", "codes.a@example.fr").await;
    s.service.set_clock_offset(48 * 3600 + 60);
    ui.press("Activez votre espace abonné").await;
    enter_activation_code(&ui, &expired).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;
    shot_and_axe(&ui, "40-code-expired", "code-expired").await;

    // 2. Used once, then replayed.
    ui.c.close().await;
    let ui = s.window().await;
    // 48 hours on the service's clock also ended the session (30 minutes idle): log in again.
    let code = change_code(&ui, smtp, "codes@example.fr", "codes.b@example.fr").await;
    ui.press("Activez votre espace abonné").await;
    enter_activation_code(&ui, &code).await;
    // Two days after the account was made: the recap gives the registration day (the one in
    // the subscriber number, as the guide does), and the activation day apart.
    let done = give_activation_address(&ui, "codes.b@example.fr").await;
    let registered = format!(
        "Votre inscription a été réalisée le {} sous le numéro {}.",
        french_date_of_number(&s.number),
        s.number
    );
    assert!(done.contains(&registered), "{registered:?} in {done}");
    assert!(done.contains("Activation de votre espace : "), "{done}");
    ui.press("Accédez à vos services en ligne").await;
    ui.press("Activer mon espace / mes services").await;
    enter_activation_code(&ui, &code).await;
    ui.wait_text("Ce code d'activation n'est plus valable")
        .await;

    // 3. Five wrong addresses void the change.
    ui.c.close().await;
    let ui = s.window().await;
    let code = change_code(&ui, smtp, "codes.b@example.fr", "codes.c@example.fr").await;
    ui.press("Activez votre espace abonné").await;
    enter_activation_code(&ui, &code).await;
    for n in 1..=4 {
        wrong_activation_address(&ui, &format!("faux{n}@example.fr")).await;
        ui.wait_text(&format!("({} essai", 5 - n)).await;
    }
    wrong_activation_address(&ui, "faux5@example.fr").await;
    ui.wait_text("Trop d'adresses erronées ont été saisies")
        .await;
    shot_and_axe(&ui, "41-code-locked", "code-locked").await;
    ui.c.close().await;
}
