//! Links from the e-mails.

use super::*;

// ---- links from the e-mails ------------------------------------------------------------------------

/// The line of `body` that is an espace-pro:// link.
fn link_in(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| l.starts_with("espace-pro://"))
        .expect("a link in the e-mail")
        .to_owned()
}

/// Starts the app a second time with `link`, as the system does when a link is clicked: it hands
/// the link to the running app and exits.
async fn open_in_running_app(s: &AgainstService, link: &str) {
    let mut second = std::process::Command::new(APP);
    second.arg(link).envs(s.app_env());
    let mut child = second.spawn().expect("the app, a second time");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the second start failed: {status}");
            return;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the second start did not hand its link over and exit");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The activation e-mail's link starts the app at the activation wizard with the code filled in
/// and the CAPTCHA shown; with the app running, a malformed link changes nothing and says so, and
/// the recovery e-mail's link is handed to the running app, which opens the recovery with its
/// code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_from_the_e_mails_open_the_procedure() {
    let s = AgainstService::start(account_with_question(
        "lien@example.fr",
        "Line",
        "LIEN",
        "Votre ville natale ?",
        "Lille",
    ))
    .await;
    // The change of address, asked through the API.
    let http = reqwest::Client::new();
    let token = api_session_token(&http, &s.service.url(), "lien@example.fr", PASSWORD).await;
    let asked = http
        .post(format!("{}/v1/account/email-change", s.service.url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({"new_email": "lien.nouveau@example.fr", "confirm_email": "lien.nouveau@example.fr"}))
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_success(), "{}", asked.status());
    let mail = mail_to(&s.smtp, "lien.nouveau@example.fr").await;
    let code = code_in(&mail);
    let link = link_in(&mail.body);
    assert_eq!(link, format!("espace-pro://activation?code={code}"));

    // The app closed: started by the link.
    let ui = s.window_with_args(&[&link]).await;
    ui.wait_text("Le code d'activation vient du lien du courriel")
        .await;
    ui.wait_captcha().await;
    let filled =
        ui.c.execute("return document.querySelector('#activation-code').value")
            .await
            .unwrap();
    assert_eq!(filled.as_str(), Some(code.as_str()));
    shot_and_axe(&ui, "80-activation-from-link", "activation-from-link").await;
    ui.type_into("Recopiez les caractères de l'image : *", "abcdef")
        .await;
    ui.press("Continuer").await;
    give_activation_address(&ui, "lien.nouveau@example.fr").await;

    // The app running: a malformed link is refused, and the screen stays as it was.
    open_in_running_app(&s, "espace-pro://activation?code=pas-un-code").await;
    let text = ui
        .wait_text("Ce lien n'est pas un lien Espace Pro valide")
        .await;
    assert!(
        text.contains("Votre inscription a été réalisée le"),
        "{text}"
    );

    // The recovery e-mail's link, handed to the running app.
    let asked = http
        .post(format!("{}/v1/password-recovery", s.service.url()))
        .json(&serde_json::json!({"email": "lien.nouveau@example.fr"}))
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_success());
    let mail = recovery_mail(&s.smtp).await;
    let code = code_in(&mail);
    let link = link_in(&mail.body);
    assert_eq!(link, format!("espace-pro://recovery?code={code}"));
    open_in_running_app(&s, &link).await;
    ui.wait_text("Le code vient du lien du courriel").await;
    let filled =
        ui.c.execute("return document.querySelector('#forgot-code').value")
            .await
            .unwrap();
    assert_eq!(filled.as_str(), Some(code.as_str()));
    assert_accessible(&ui, "recovery-from-link").await;
    ui.type_into(
        "Adresse électronique de connexion",
        "lien.nouveau@example.fr",
    )
    .await;
    ui.press_and_see("Continuer", "Votre question de confiance")
        .await;
    ui.c.close().await;
}
