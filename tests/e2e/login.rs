//! Logging in with a CAPTCHA under attack, and the security answer asking for the password again.

use super::*;

// ---- the owner logs in with a CAPTCHA while the address is under attack -------------------------

/// Five wrong passwords (someone guessing): the address now asks for a CAPTCHA, and the log-in
/// screen shows it (image, sound, "Changer l'image"); with it, the owner gets in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_logs_in_with_a_captcha_while_the_address_is_under_attack() {
    let s = AgainstService::start(lila()).await;
    let ui = s.window().await;
    for _ in 0..5 {
        log_in_refused(
            &ui,
            "lila.rosemonde@example.fr",
            "Wrong7Citron4Galop9Sable2",
        )
        .await;
    }
    // The service's clock decides, not how fast the window answers: the sixth attempt comes
    // "at once" after the fifth (the clock set back), inside the delay five failures earn.
    s.service.set_clock_offset(-30);
    log_in(&ui, "lila.rosemonde@example.fr", PASSWORD).await;
    ui.wait_text("recopiez aussi les caractères de l'image")
        .await;
    ui.wait_captcha().await;
    ui.button("Changer l'image").await;
    ui.button("Écouter l'extrait sonore").await;
    shot_and_axe(&ui, "login-captcha", "login-captcha").await;
    ui.retype("Mot de passe", PASSWORD).await;
    ui.type_into(
        "Recopiez les caractères de l'image : *",
        support::service::CAPTCHA_ANSWER,
    )
    .await;
    ui.press_and_see("Connexion", &format!("Abonné : {}", s.number))
        .await;
    ui.c.close().await;
}

// ---- the security answer asks for the password again after a few minutes ------------------------

/// Six minutes after logging in, "Gérer vos coordonnées" asks for the current password before it
/// shows the security answer; the right one opens the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_answer_asks_for_the_password_again() {
    let s = AgainstService::start(lila_with_question()).await;
    let ui = window_at_home(&s, "lila.rosemonde@example.fr").await;
    s.service.set_clock_offset(6 * 60);
    ui.press("Gérer les services").await;
    ui.press_and_see(
        "Gérer vos coordonnées",
        "Votre réponse de confiance ne s'affiche qu'après la saisie de votre mot de passe actuel",
    )
    .await;
    shot_and_axe(
        &ui,
        "coordinates-password-again",
        "coordinates-password-again",
    )
    .await;
    ui.type_into("Mot de passe actuel", "Wrong7Citron4Galop9Sable2")
        .await;
    ui.press_and_see("Continuer", "Le mot de passe actuel saisi est incorrect")
        .await;
    ui.retype("Mot de passe actuel", PASSWORD).await;
    ui.press_and_see("Continuer", "Question de confiance").await;
    let answer =
        ui.c.execute("return document.querySelector('#coord-answer').value")
            .await;
    assert_eq!(
        answer
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref(),
        Some("Paul")
    );
    // The guide §4.1: from the coordinates to the address and password.
    press_manage_credentials(&ui).await;
    ui.c.close().await;
}
