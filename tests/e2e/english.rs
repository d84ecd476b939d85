//! The whole procedure in English.

use super::*;

// ---- the whole procedure in English ------------------------------------------------------------

/// Every screen in English, against the real service: log-in (refused, then accepted), help,
/// forgotten password (with the meter judging as the service does), home, activity, services,
/// contact details, credentials (refused fields, then a change of address), the pending notice,
/// the activation wizard (a wrong address, then the right one) and its recap. On each: no French
/// text outside of the e-mails and the user's data, axe-core at WCAG 2.2 AA, and what a screen
/// reader gets through AT-SPI (names in words, one level-1 heading named by the window's title,
/// live regions; after each refusal, the focus on the error summary, an alert).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_english_without_a_french_word() {
    let s = AgainstService::start(account_with_question(
        "english@example.fr",
        "Gwen",
        "QUIMPERLE",
        "Votre ville natale ?",
        "Brest",
    ))
    .await;
    let smtp = &s.smtp;
    let ui = s.window().await;
    let mut french = Vec::new();
    let mut screens = 0;
    let mut check = async |ui: &Ui, name: &str| {
        screens += 1;
        for text in french_texts(ui).await {
            french.push(format!("{name}: {text}"));
        }
        assert_accessible(ui, &format!("en-{name}")).await;
    };

    ui.wait_text("Connexion à mon espace professionnel").await;
    // The detector sees French where there is French (the page marked English for the test).
    ui.c.execute("document.documentElement.lang = 'en'")
        .await
        .unwrap();
    let on_french_screen = french_texts(&ui).await;
    ui.c.execute("document.documentElement.lang = 'fr'")
        .await
        .unwrap();
    assert!(
        on_french_screen
            .iter()
            .any(|t| t.contains("Mot de passe oublié")),
        "{on_french_screen:?}"
    );
    ui.press_and_see("English", "Log in to my professional account")
        .await;
    check(&ui, "login").await;

    // A refusal from the service, in English.
    ui.type_into("E-mail address", "english@example.fr").await;
    ui.type_into("Password", "Not7The8Right9Password0").await;
    ui.press_and_see("Log in", "Wrong e-mail address or password")
        .await;
    assert_alert_focused(&ui, "refused").await;
    check(&ui, "login-refused").await;

    ui.press_and_see("Troubleshooting", "Beware of phishing")
        .await;
    // The service's contacts, in English once it has been asked in English.
    ui.wait_text("Monday to Friday").await;
    check(&ui, "help").await;
    ui.press("Back").await;
    ui.press_and_see("Settings", "Service in use").await;
    ui.wait_text("Chosen by the ESPACE_PRO_SERVICE_URL variable.")
        .await;
    check(&ui, "settings").await;
    ui.press("Back").await;

    // Forgotten password: the service's notice and refusals in English; the meter knows the
    // account from the words the service sends with the question.
    ui.press("Forgotten password").await;
    ui.type_into("Login e-mail address", "english@example.fr")
        .await;
    ui.press_and_see("Receive a code", "a code has just been sent")
        .await;
    check(&ui, "forgot-sent").await;
    ui.type_into("Code received by e-mail", "ABCDEFGHIJKL")
        .await;
    ui.press_and_see("Continue", "This code is not recognised for this address")
        .await;
    assert_alert_focused(&ui, "refused").await;
    check(&ui, "forgot-unknown-code").await;
    let code = code_in(&recovery_mail(smtp).await);
    ui.retype("Code received by e-mail", &code).await;
    ui.press_and_see("Continue", "Your security question: Votre ville natale ?")
        .await;
    // Name and subscriber number: strong for a meter that does not know them, too weak for the
    // service, and so for the meter.
    let own = format!("Quimperle{}", s.number);
    ui.type_into("New password", &own).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let level = ui.text_of("forgot-new-password-level").await;
    assert!(
        !level.contains("Strong") && !level.contains("strong"),
        "the meter calls {own:?} {level:?}"
    );
    let strong_met = ui
        .c
        .execute("return document.querySelector('[data-rule=strong]').classList.contains('met')")
        .await
        .unwrap();
    assert_eq!(strong_met, false, "{level}");
    check(&ui, "forgot-question").await;
    ui.type_into("Security answer", "Brest").await;
    ui.type_into("Confirm your new password", &own).await;
    ui.press_and_see(
        "Confirm the new password",
        "The new password cannot be accepted: it is too easy to guess",
    )
    .await;
    assert_alert_focused(&ui, "refused").await;
    check(&ui, "forgot-refused").await;
    ui.press("Cancel").await;

    // Logged in.
    ui.wait_text("Log in to my professional account").await;
    ui.retype("E-mail address", "english@example.fr").await;
    ui.retype("Password", PASSWORD).await;
    ui.press_and_see("Log in", &format!("Subscriber: {}", s.number))
        .await;
    check(&ui, "home").await;
    ui.press_and_see("Recent activity", "Date and time").await;
    ui.wait_text("Log-in").await;
    check(&ui, "activity").await;
    ui.press("Back to home").await;
    ui.press_and_see("Manage services", "PERSONAL INFORMATION")
        .await;
    check(&ui, "services").await;
    ui.press_and_see("Manage your contact details", "Security question")
        .await;
    check(&ui, "coordinates").await;
    ui.press("Cancel").await;
    ui.press_and_see(
        "Manage your login e-mail address / your password",
        "Change your login details.",
    )
    .await;
    ui.tick("Enter my new password: (20 characters minimum)")
        .await;
    ui.type_into("New password", "azertyuiop").await;
    ui.type_into("Confirm your new password", "azertyuiop")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ui.press_and_see(
        "Validate the changes",
        "The password must have at least 20 characters.",
    )
    .await;
    assert_alert_focused(&ui, "refused").await;
    check(&ui, "credentials-refused").await;
    ui.tick("Enter my new password: (20 characters minimum)")
        .await;
    ui.tick("Change my e-mail address english@example.fr").await;
    ui.type_into("New e-mail address", "english.new@example.fr")
        .await;
    ui.type_into("Confirm your new e-mail address", "english.new@example.fr")
        .await;
    ui.press_and_see("Validate the changes", "Activating your subscriber account")
        .await;
    check(&ui, "pending").await;

    let code = code_in(&mail_to(smtp, "english.new@example.fr").await);
    ui.press("Activate your subscriber account").await;
    ui.wait_captcha().await;
    check(&ui, "activate-code").await;
    ui.type_into("Enter the activation code: *", &code).await;
    ui.type_into("Copy the characters in the image: *", "abcdef")
        .await;
    ui.press("Continue").await;
    ui.type_into("Enter your login e-mail address: *", "wrong@example.fr")
        .await;
    ui.press_and_see("Continue", "(4 tries left)").await;
    ui.wait_text("This is not the new address requested").await;
    assert_alert_focused(&ui, "refused").await;
    check(&ui, "activate-wrong-address").await;
    ui.retype(
        "Enter your login e-mail address: *",
        "english.new@example.fr",
    )
    .await;
    ui.press_and_see("Continue", "Your registration was completed on")
        .await;
    check(&ui, "recap").await;

    assert!(screens >= 17, "{screens} screens");
    assert!(
        french.is_empty(),
        "French text in English mode:\n{}",
        french.join("\n")
    );
    ui.c.close().await;
}
