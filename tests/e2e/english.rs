//! The whole procedure in English.

use super::*;

// ---- the whole procedure in English ------------------------------------------------------------

/// Every screen in English, against the real service: log-in (refused, then accepted), help,
/// forgotten password (with the meter judging as the service does), home, activity, services,
/// contact details, credentials (refused fields, then a change of address), the pending notice,
/// the activation wizard (a wrong address, then the right one) and its recap. On each: no French
/// text outside of the e-mails and the user's data, and axe-core at WCAG 2.2 AA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_english_without_a_french_word() {
    let s = AgainstService::start(NewAccount {
        email: "english@example.fr".into(),
        first_name: "Gwen".into(),
        last_name: "QUIMPERLE".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Brest".into(),
        ..Default::default()
    })
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
    ui.press("English").await;
    ui.wait_text("Log in to my professional account").await;
    check(&ui, "login").await;

    // A refusal from the service, in English.
    ui.type_into("E-mail address", "english@example.fr").await;
    ui.type_into("Password", "Not7The8Right9Password0").await;
    ui.press("Log in").await;
    ui.wait_text("Wrong e-mail address or password").await;
    check(&ui, "login-refused").await;

    ui.press("Troubleshooting").await;
    ui.wait_text("Beware of phishing").await;
    // The service's contacts, in English once it has been asked in English.
    ui.wait_text("Monday to Friday").await;
    check(&ui, "help").await;
    ui.press("Back").await;
    ui.press("Settings").await;
    ui.wait_text("Service in use").await;
    ui.wait_text("Chosen by the ESPACE_PRO_SERVICE_URL variable.")
        .await;
    check(&ui, "settings").await;
    ui.press("Back").await;

    // Forgotten password: the service's notice and refusals in English; the meter knows the
    // account from the words the service sends with the question.
    ui.press("Forgotten password").await;
    ui.type_into("Login e-mail address", "english@example.fr")
        .await;
    ui.press("Receive a code").await;
    ui.wait_text("a code has just been sent").await;
    check(&ui, "forgot-sent").await;
    ui.type_into("Code received by e-mail", "ABCDEFGHIJKL")
        .await;
    ui.press("Continue").await;
    ui.wait_text("This code is not recognised for this address")
        .await;
    check(&ui, "forgot-unknown-code").await;
    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Espace professionnel - Mot de passe oublié"
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    let field = ui.by_label("Code received by e-mail").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, &code).await;
    ui.press("Continue").await;
    ui.wait_text("Your security question: Votre ville natale ?")
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
    ui.press("Confirm the new password").await;
    ui.wait_text("The new password cannot be accepted: it is too easy to guess")
        .await;
    check(&ui, "forgot-refused").await;
    ui.press("Cancel").await;

    // Logged in.
    ui.wait_text("Log in to my professional account").await;
    for (label, value) in [
        ("E-mail address", "english@example.fr"),
        ("Password", PASSWORD),
    ] {
        let field = ui.by_label(label).await;
        ui.c.clear(&field).await;
        ui.c.send_keys(&field, value).await;
    }
    ui.press("Log in").await;
    ui.wait_text(&format!("Subscriber: {}", s.number)).await;
    check(&ui, "home").await;
    ui.press("Recent activity").await;
    ui.wait_text("Date and time").await;
    ui.wait_text("Log-in").await;
    check(&ui, "activity").await;
    ui.press("Back to home").await;
    ui.press("Manage services").await;
    ui.wait_text("PERSONAL INFORMATION").await;
    check(&ui, "services").await;
    ui.press("Manage your contact details").await;
    ui.wait_text("Security question").await;
    check(&ui, "coordinates").await;
    ui.press("Cancel").await;
    ui.press("Manage your login e-mail address / your password")
        .await;
    ui.wait_text("Change your login details.").await;
    let b = ui
        .by_label("Enter my new password: (20 characters minimum)")
        .await;
    ui.c.click(&b).await;
    ui.type_into("New password", "azertyuiop").await;
    ui.type_into("Confirm your new password", "azertyuiop")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ui.press("Validate the changes").await;
    ui.wait_text("The password must have at least 20 characters.")
        .await;
    check(&ui, "credentials-refused").await;
    ui.c.click(&b).await;
    let b = ui
        .by_label("Change my e-mail address english@example.fr")
        .await;
    ui.c.click(&b).await;
    ui.type_into("New e-mail address", "english.new@example.fr")
        .await;
    ui.type_into("Confirm your new e-mail address", "english.new@example.fr")
        .await;
    ui.press("Validate the changes").await;
    ui.wait_text("Activating your subscriber account").await;
    check(&ui, "pending").await;

    let mail = smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.envelope_to == ["english.new@example.fr".to_owned()]
        })
        .await;
    let code = espace_pro_testkit::find_code(&mail.body).unwrap();
    ui.press("Activate your subscriber account").await;
    ui.c.wait_for(
        "css selector",
        "#captcha-image[src^='data:image/png']",
        WAIT,
    )
    .await;
    check(&ui, "activate-code").await;
    ui.type_into("Enter the activation code: *", &code).await;
    ui.type_into("Copy the characters in the image: *", "abcdef")
        .await;
    ui.press("Continue").await;
    ui.type_into("Enter your login e-mail address: *", "wrong@example.fr")
        .await;
    ui.press("Continue").await;
    ui.wait_text("(4 tries left)").await;
    ui.wait_text("This is not the new address requested").await;
    check(&ui, "activate-wrong-address").await;
    let field = ui.by_label("Enter your login e-mail address: *").await;
    ui.c.clear(&field).await;
    ui.c.send_keys(&field, "english.new@example.fr").await;
    ui.press("Continue").await;
    ui.wait_text("Your registration was completed on").await;
    check(&ui, "recap").await;

    assert!(screens >= 17, "{screens} screens");
    assert!(
        french.is_empty(),
        "French text in English mode:\n{}",
        french.join("\n")
    );
    ui.c.close().await;
}
