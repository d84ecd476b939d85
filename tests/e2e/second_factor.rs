//! "Double authentification" through the window: turned on with a code computed by `oathtool`
//! (an implementation we did not write), the recovery codes saved, a log-in with a code, one
//! with a recovery code, turned off.

use super::*;

/// `oathtool --totp` for the key the screen shows (grouped by 4), `offset` seconds from now
/// (the scenario's service runs on the real time).
fn oathtool(key: &str, offset: i64) -> String {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + offset;
    let key: String = key.split_whitespace().collect();
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", &key, &format!("--now=@{at}")])
        .output()
        .expect("oathtool (cargo xtask test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_log_in_with_a_code_and_a_recovery_code_then_turn_it_off() {
    let s = AgainstService::start(account("double@example.fr", "Karim", "BENALI")).await;
    let ui = window_at_home(&s, "double@example.fr").await;
    ui.press_and_see(
        "Double authentification",
        "La double authentification n'est pas activée",
    )
    .await;
    shot_and_axe(&ui, "83-totp-off", "totp-off").await;
    // The password, always (a session alone does not put an authenticator on the account).
    ui.press_and_see("Activer la double authentification", "Il y a un problème")
        .await;
    ui.type_into("Mot de passe actuel", PASSWORD).await;
    ui.press_and_see(
        "Activer la double authentification",
        "Associez votre application",
    )
    .await;
    assert!(
        ui.script_says("return document.querySelector('#totp-qr').naturalWidth > 0")
            .await,
        "the QR code is drawn"
    );
    let key = ui.text_of("totp-secret").await;
    assert_eq!(
        key.split_whitespace().collect::<String>().len(),
        32,
        "{key}"
    );
    shot_and_axe(&ui, "84-totp-enrol", "totp-enrol").await;
    // A wrong code first: said in the field, nothing turned on.
    ui.type_into("Code à 6 chiffres", "000000").await;
    ui.press_and_see("Activer", "Ce code n'est pas valide")
        .await;
    ui.retype("Code à 6 chiffres", &oathtool(&key, 0)).await;
    ui.press_and_see("Activer", "Vos 10 codes de secours").await;
    let codes: Vec<String> =
        ui.c.execute(
            "return [...document.querySelectorAll('#totp-codes code')].map(c => c.textContent)",
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    // The wrong code's message went with it.
    assert!(!ui.main_text().await.contains("Il y a un problème"));
    shot_and_axe(&ui, "85-totp-codes", "totp-codes").await;
    ui.press_and_see("Enregistrer les codes", "Codes enregistrés")
        .await;
    let file = s
        .summary_dir()
        .join("codes-de-secours-espace-professionnel.txt");
    let saved = std::fs::read_to_string(&file).unwrap();
    for code in &codes {
        assert!(saved.contains(code.as_str()), "{code} not saved");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    ui.press_and_see(
        "J'ai gardé mes codes",
        "Codes de secours non utilisés : 10 sur 10.",
    )
    .await;
    s.smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Double authentification activée sur votre espace professionnel"
        })
        .await;

    // Logged out: the password, then the code the screen asks for.
    ui.press_and_see("Quitter", "Connexion à mon espace professionnel")
        .await;
    log_in(&ui, "double@example.fr", PASSWORD).await;
    ui.wait_text("Code de double authentification").await;
    shot_and_axe(&ui, "86-login-second-factor", "login-second-factor").await;
    // The enrolment used this step's code: the next step's (a clock 30 s ahead) is taken.
    ui.type_into("Code de double authentification", &oathtool(&key, 30))
        .await;
    ui.press_and_see("Connexion", &format!("Abonné : {}", s.number))
        .await;

    // Again, with a recovery code.
    ui.press_and_see("Quitter", "Connexion à mon espace professionnel")
        .await;
    log_in(&ui, "double@example.fr", PASSWORD).await;
    ui.type_into("Code de double authentification", &codes[0])
        .await;
    ui.press_and_see("Connexion", &format!("Abonné : {}", s.number))
        .await;

    // Later (the service's clock 10 minutes on): a password change asks the current password,
    // then the code (SPEC §4), before anything changes.
    s.service.set_clock_offset(600);
    open_credentials(&ui).await;
    fill_new_password(&ui, NEW_PASSWORD).await;
    ui.press_and_see("Valider les modifications", "Mot de passe actuel")
        .await;
    ui.type_into("Mot de passe actuel", PASSWORD).await;
    ui.press_and_see(
        "Valider les modifications",
        "Code de double authentification",
    )
    .await;
    shot_and_axe(
        &ui,
        "88-credentials-second-factor",
        "credentials-second-factor",
    )
    .await;
    ui.type_into("Code de double authentification", &oathtool(&key, 600))
        .await;
    ui.press_and_see(
        "Valider les modifications",
        "Votre mot de passe a été réinitialisé",
    )
    .await;
    ui.press_and_see("OK", &format!("Abonné : {}", s.number))
        .await;

    // Off: the new password and another recovery code.
    ui.press_and_see(
        "Double authentification",
        "Codes de secours non utilisés : 9 sur 10.",
    )
    .await;
    ui.type_into("Mot de passe actuel", NEW_PASSWORD).await;
    ui.type_into("Code à 6 chiffres ou code de secours", &codes[1])
        .await;
    ui.press_and_see("Désactiver", "La double authentification n'est pas activée")
        .await;
    s.smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Double authentification désactivée sur votre espace professionnel"
        })
        .await;
    // The same screen in English.
    ui.press_and_see("English", "Two-step verification is off")
        .await;
    shot_and_axe(&ui, "87-totp-off-en", "totp-off-en").await;
    ui.press_and_see("Français", "La double authentification n'est pas activée")
        .await;
    ui.press_and_see("Quitter", "Connexion à mon espace professionnel")
        .await;
    log_in_home(&ui, "double@example.fr", NEW_PASSWORD, &s.number).await;
    ui.c.close().await;
}
