//! HTTPS between the app and the service, as an organisation deploys it: the service behind
//! HAProxy terminating TLS, with a certificate from the organisation's own authority, which the
//! workstations trust because their policy installed it (here `SSL_CERT_FILE` naming the system's
//! bundle with that authority added, as `update-ca-certificates` would make it), through the
//! network's proxy (tinyproxy, named by `HTTPS_PROXY`). Every other scenario talks plain http
//! to loopback.

use espace_pro_testkit::tls::{Authority, ForwardProxy, SYSTEM_BUNDLE, TlsFront};

use super::*;

/// The update server of the first window: a name only the proxy is asked to reach.
const UPDATES: &str = "updates.espace-pro.invalid";

const UNTRUSTED: &str = "Le certificat du service n'est pas reconnu par cet ordinateur : contactez votre service informatique.";

/// Over HTTPS: log in, change the password, change the login address and activate it, save the
/// summary. Then the same service from a computer without the organisation's authority: the
/// banner says the certificate is not recognised, not that the service is unreachable, the
/// settings' check says so of the address, and the updater of the update server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_with_the_organisations_authority() {
    let mut front = None;
    let mut proxy = None;
    let s = AgainstService::start_behind(lila_with_question(), &[], |dir, service| {
        let organisation = Authority::new(dir, "organisation");
        let certificate = organisation.issue("service", "DNS:localhost");
        let tls = TlsFront::start(dir, &certificate, service.port());
        let url = format!("https://localhost:{}/", tls.port);
        front = Some(tls);
        let trusted = organisation.system_bundle_with().display().to_string();
        // The network's proxy, which the computer names.
        let forward = ForwardProxy::start(dir);
        // Every scheme names it, and only 127.0.0.1 is exempt (tauri-driver reaches
        // WebKitWebDriver there), whatever this machine's NO_PROXY says. The service and the
        // update server (a name that does not resolve here: reachable, if at all, only by the
        // proxy) must show in its log as tunnels; a request that went around it would not show,
        // and is ruled out by the client's own tests (crates/client/tests/trust.rs).
        let env = vec![
            ("SSL_CERT_FILE", trusted),
            (
                "ESPACE_PRO_UPDATE_URL",
                format!("https://{UPDATES}/latest.json"),
            ),
            ("HTTPS_PROXY", forward.url()),
            ("HTTP_PROXY", forward.url()),
            ("ALL_PROXY", forward.url()),
            ("NO_PROXY", "127.0.0.1".to_owned()),
            ("no_proxy", "127.0.0.1".to_owned()),
        ];
        proxy = Some(forward);
        (url, env)
    })
    .await;
    let https = format!("https://localhost:{}/", front.as_ref().unwrap().port);
    let ui = window_at_home(&s, "lila.rosemonde@example.fr").await;

    // The password.
    open_credentials(&ui).await;
    fill_new_password(&ui, NEW_PASSWORD).await;
    ui.press_and_see(
        "Valider les modifications",
        "Votre mot de passe a été réinitialisé avec succès.",
    )
    .await;
    mail_to(&s.smtp, "lila.rosemonde@example.fr").await;
    ui.press_and_see("OK", &format!("Abonné : {}", s.number))
        .await;

    // The login address, activated with the code sent to it.
    request_new_email(&ui, "lila.rosemonde@example.fr", "lila@rosemonde.example").await;
    let code = code_in(&activation_mail(&s.smtp, "lila@rosemonde.example").await);
    ui.press("Activez votre espace abonné").await;
    enter_activation_code(&ui, &code).await;
    give_activation_address(&ui, "lila@rosemonde.example").await;

    // The summary, which asks for the password first.
    ui.press("Sauvegardez ou imprimez le récapitulatif").await;
    ui.type_into("Mot de passe actuel", NEW_PASSWORD).await;
    ui.press_and_see("Continuer", "Récapitulatif enregistré")
        .await;
    let text = pdftotext(&s.summary_pdf());
    assert!(text.contains("lila@rosemonde.example"), "{text}");
    ui.shot("90-https-summary").await;
    ui.c.close().await;
    // All of it went through the proxy, in tunnels: the service's exchanges, and the update
    // check at start.
    let tunnels = proxy.as_ref().unwrap().requests();
    println!("through the proxy: {tunnels:?}");
    let tunnel = format!(
        "CONNECT localhost:{} HTTP/1.1",
        front.as_ref().unwrap().port
    );
    assert!(tunnels.contains(&tunnel), "{tunnels:?}");
    assert!(
        tunnels.contains(&format!("CONNECT {UPDATES}:443 HTTP/1.1")),
        "{tunnels:?}"
    );
    assert!(
        tunnels.iter().all(|r| r.starts_with("CONNECT ")),
        "{tunnels:?}"
    );

    // A computer whose store does not hold the organisation's authority.
    let other = tempfile::tempdir().unwrap();
    let (_driver, port) = start_driver(&app_env(
        other.path(),
        &[
            ("ESPACE_PRO_SERVICE_URL", https.clone()),
            ("SSL_CERT_FILE", SYSTEM_BUNDLE.to_owned()),
            // The organisation's mirror of the updates, behind the same front.
            (
                "ESPACE_PRO_UPDATE_URL",
                format!("{https}updates/latest.json"),
            ),
        ],
    ))
    .await;
    let ui = Ui::connect(port).await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    let banner =
        ui.c.wait_for("css selector", "#service-banner:not([hidden])", WAIT)
            .await;
    let said = ui.c.text(&banner).await;
    assert!(said.contains(UNTRUSTED), "{said}");
    assert!(!said.contains("injoignable"), "{said}");
    assert_accessible(&ui, "login-untrusted").await;
    ui.shot("91-https-untrusted").await;

    // "Paramètres": checking the address says the same of it.
    ui.press("Paramètres").await;
    ui.type_into("Adresse du service", &https).await;
    ui.press("Tester").await;
    let screen = ui
        .wait_text("Le certificat de ce service n'est pas reconnu par cet ordinateur")
        .await;
    assert!(screen.contains("vérifiez l'adresse"), "{screen}");
    // What it says of the service in use, too.
    assert_eq!(ui.text_of("settings-reachable").await, UNTRUSTED);
    ui.shot("92-https-untrusted-settings").await;

    // The updates, asked of the organisation's mirror, say it of their server.
    ui.press("Rechercher maintenant").await;
    ui.wait_text("Le certificat du serveur des mises à jour n'est pas reconnu par cet ordinateur")
        .await;
    ui.c.close().await;
}
