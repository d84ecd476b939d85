//! The service: one that never answers, the one chosen in "Paramètres", the packaged default.

use super::*;

/// Waits for the banner saying the service cannot be reached, for at most `within`; returns
/// what it says.
async fn service_banner(ui: &Ui, within: Duration) -> String {
    let banner =
        ui.c.wait_for("css selector", "#service-banner:not([hidden])", within)
            .await;
    ui.c.text(&banner).await
}

/// The log-in screen of a service that cannot be reached: its banner, and not the demo.
async fn wait_unreachable_login(ui: &Ui) {
    ui.wait_text("Connexion à mon espace professionnel").await;
    service_banner(ui, Duration::from_secs(10)).await;
    let login = ui.main_text().await;
    assert!(!login.contains("Mot de passe de démonstration"), "{login}");
}

// ---- a service that never answers --------------------------------------------------------------

/// A service that accepts the connection and never answers: the log-in screen is there as soon
/// as the window is, the banner says the service cannot be reached (with "Réessayer"), and
/// "Dépannage" shows the hotline bundled with the app. Before, the window stayed blank ~30 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_service_leaves_the_window_usable_with_a_banner() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // Accepts every connection and keeps it, saying nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming() {
            held.push(stream);
        }
    });
    let (_driver, port) =
        start_driver(&app_env(dir.path(), &[("ESPACE_PRO_SERVICE_URL", url)])).await;
    let began = std::time::Instant::now();
    let ui = Ui::connect(port).await;
    let window_up = began.elapsed();
    // Usable at once: the form is there within a second of the window, long before the app
    // gives up on the service (3 s).
    let email =
        ui.c.wait_for("css selector", "#login-email", Duration::from_secs(1))
            .await;
    assert!(
        ui.c.find("css selector", "#service-banner:not([hidden])")
            .await
            .is_err(),
        "the form came only after the app gave up on the service"
    );
    ui.c.send_keys(&email, "lila@example.fr").await;
    let banner_text = service_banner(&ui, WAIT).await;
    let banner_after = began.elapsed();
    println!("window up after {window_up:?}, banner after {banner_after:?}");
    assert!(
        banner_text.contains("Le service est injoignable"),
        "{banner_text}"
    );
    assert!(banner_text.contains("Réessayer"), "{banner_text}");
    // What was typed is kept.
    let typed =
        ui.c.execute("return document.getElementById('login-email').value")
            .await
            .unwrap();
    assert_eq!(typed, "lila@example.fr");
    ui.shot("silent-service-banner").await;
    // Retrying asks again, and says so again.
    ui.press("Réessayer").await;
    service_banner(&ui, WAIT).await;
    let help = ui.press_and_see("Dépannage", "0 809 400 210").await;
    assert!(help.contains("Une assistance aux téléprocédures"), "{help}");
    assert_accessible(&ui, "silent-service-help").await;
    ui.c.close().await;
}

// ---- the service chosen in "Paramètres" ---------------------------------------------------------

/// From the log-in screen's header: a plain http:// address of another computer is refused, a
/// real service is checked then used, its session survives a restart of the app, the choice is
/// in a private settings file, and demo mode can be chosen again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_choose_a_service_and_keep_it() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let smtp = espace_pro_testkit::SmtpListener::start().await;
    let service = support::service::ServiceProcess::start_with(dir.path(), &smtp, &[]).await;
    service.create_account(
        &account("reglages@example.fr", "Régis", "REGLAGE"),
        PASSWORD,
    );
    let (_driver, port) = start_driver(&app_env(dir.path(), &[])).await;
    let ui = Ui::connect(port).await;
    ui.wait_text("Mot de passe de démonstration").await;
    ui.press_and_see("Paramètres", "Service utilisé").await;
    ui.wait_text("Mode démo : le service tourne sur cet ordinateur")
        .await;
    shot_and_axe(&ui, "60-settings-demo", "settings-demo").await;

    // Plain http to another computer: refused, nothing saved.
    ui.type_into("Adresse du service", "http://example.com")
        .await;
    ui.press_and_see(
        "Tester et utiliser ce service",
        "Saisissez une adresse qui commence par https://",
    )
    .await;
    assert_accessible(&ui, "settings-refused").await;
    let config = dir.path().join("home/config/fr.espacepro.desktop");
    assert!(!config.join("settings.json").exists());

    // The real service: checked, then used.
    ui.retype("Adresse du service", &service.url()).await;
    ui.press_and_see("Tester", "(version ").await;
    ui.press_and_see("Tester et utiliser ce service", "Service utilisé désormais")
        .await;
    let login = ui.main_text().await;
    assert!(!login.contains("Mot de passe de démonstration"), "{login}");
    let badge_hidden =
        ui.c.execute("return document.getElementById('demo-badge').hidden")
            .await
            .unwrap();
    assert_eq!(badge_hidden, true);
    let saved = std::fs::read_to_string(config.join("settings.json")).unwrap();
    assert!(saved.contains(&service.url()), "{saved}");
    assert_private(&config.join("settings.json"), "settings.json");
    log_in_home(&ui, "reglages@example.fr", PASSWORD, "").await;
    ui.c.close().await;

    // The app again: the same service, and its session resumed from the keyring.
    let ui = Ui::connect(port).await;
    ui.wait_text("Abonné : ").await;
    ui.press_and_see("Quitter", "Connexion à mon espace professionnel")
        .await;
    let shown = ui
        .press_and_see("Paramètres", "Choisi dans ces paramètres.")
        .await;
    assert!(shown.contains(&service.url()), "{shown}");
    assert!(shown.contains("Le service répond."), "{shown}");

    // Back to demo mode, explicitly.
    ui.press_and_see("Utiliser le mode démo", "Mot de passe de démonstration")
        .await;
    let saved = std::fs::read_to_string(config.join("settings.json")).unwrap();
    assert!(saved.contains("\"demo\": true"), "{saved}");
    ui.c.close().await;
}

/// An installer made for an organisation's service (here through the test switch that stands
/// for `cargo xtask package --service-url`) starts against it; when it cannot be reached the app
/// says so and offers the settings, never the demo silently; demo mode and the way back to the
/// organisation's service are in the settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_packaged_service_is_the_default_and_never_silently_the_demo() {
    let _one = ONE_SESSION.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}", espace_pro_testkit::reserve_port());
    let (_driver, port) = start_driver(&app_env(
        dir.path(),
        &[("ESPACE_PRO_TEST_PACKAGED_URL", closed.clone())],
    ))
    .await;
    let ui = Ui::connect(port).await;
    wait_unreachable_login(&ui).await;
    let settings =
        ui.c.wait_for("css selector", "#service-settings", WAIT)
            .await;
    ui.c.click(&settings).await;
    let shown = ui.wait_text("Service de votre organisation").await;
    assert!(shown.contains(&closed), "{shown}");
    assert!(shown.contains("ne répond pas"), "{shown}");
    assert_accessible(&ui, "settings-packaged-unreachable").await;
    ui.press_and_see("Utiliser le mode démo", "Mot de passe de démonstration")
        .await;
    ui.press("Paramètres").await;
    ui.press(&format!(
        "Revenir au service de votre organisation ({closed})"
    ))
    .await;
    wait_unreachable_login(&ui).await;
    ui.c.close().await;
}
