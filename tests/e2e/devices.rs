//! "Appareils connectés": two devices seen, the other one ended from the window; the log-in
//! from a new device shown once as a desktop notification.

use super::reminders::Dunst;
use super::*;

const TITLE: &str = "Nouvelle connexion à votre espace";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_seen_and_the_other_one_ended() {
    let s = AgainstService::start(account("appareils@example.fr", "Anne", "APPAREILS")).await;
    let dunst = Dunst::start().await;
    let ui = s.window().await;
    log_in_home(&ui, "appareils@example.fr", PASSWORD, &s.number).await;
    // This computer's first log-in is told by e-mail (to the login address), never to itself.
    let mail = s
        .smtp
        .wait_for(Duration::from_secs(15), |m| {
            m.subject == "Nouvelle connexion à votre espace professionnel"
        })
        .await;
    assert!(mail.body.contains("« Espace Pro "), "{}", mail.body);
    ui.c.close().await;

    // Someone else logs in, from a computer of their own.
    let http = reqwest::Client::new();
    let other: serde_json::Value = http
        .post(format!("{}/v1/sessions", s.service.url()))
        .json(
            &serde_json::json!({"email": "appareils@example.fr", "password": PASSWORD,
            "device_id": "0123456789abcdef0123456789abcdef", "device_name": "PC inconnu"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = other["token"].as_str().unwrap().to_owned();

    // The app again: its session resumed, the new device told once.
    let ui = s.window().await;
    ui.wait_text("Abonné : ").await;
    let history = dunst.wait_for("PC inconnu", 1).await;
    assert!(history.contains(TITLE), "{history}");
    let once = history.matches(TITLE).count();

    ui.press_and_see("Appareils connectés", "Cet ordinateur")
        .await;
    let screen = ui.wait_text("PC inconnu").await;
    assert!(screen.contains("127.0.0.1"), "{screen}");
    shot_and_axe(&ui, "80-devices", "devices").await;
    ui.press_and_see("Déconnecter", "PC inconnu est déconnecté.")
        .await;
    let after = ui.main_text().await;
    assert!(
        after.contains("Aucun autre appareil n'est connecté."),
        "{after}"
    );
    let refused = http
        .get(format!("{}/v1/account", s.service.url()))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    shot_and_axe(&ui, "81-devices-ended", "devices-ended").await;

    // "Télécharger mes données": the file saved (private), everything in it, no token.
    ui.press_and_see("Retour à l'accueil", "Abonné : ").await;
    ui.press_and_see("Télécharger mes données", "Jamais vos mots de passe")
        .await;
    shot_and_axe(&ui, "82-export", "export").await;
    ui.press("Enregistrer mes données").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let text = ui.main_text().await;
        if text.contains("Données enregistrées") {
            break;
        }
        if text.contains("saisissez de nouveau votre mot de passe") {
            ui.type_into("Mot de passe actuel", PASSWORD).await;
            ui.press("Continuer").await;
        }
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let file = s
        .summary_dir()
        .join("mes-donnees-espace-professionnel.json");
    assert_private(&file, "the data export");
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(data["identity"]["login_email"], "appareils@example.fr");
    let names: Vec<_> = data["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["device_name"].clone())
        .collect();
    assert!(
        names.contains(&serde_json::json!("PC inconnu")),
        "{names:?}"
    );
    assert!(!data.to_string().contains(&other));
    ui.c.close().await;

    // Once: the app started again shows no second notification.
    let ui = s.window().await;
    ui.wait_text("Abonné : ").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(dunst.history().matches(TITLE).count(), once);
    ui.c.close().await;
}
