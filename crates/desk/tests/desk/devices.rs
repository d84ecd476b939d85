//! This computer in the account's list of sessions: one device id per account kept in the
//! keyring, its name from "Paramètres", two devices seen and the other one ended, and the
//! new-device notification shown once.

use espace_pro_contract::Secret;
use espace_pro_desk::keyring::{Keyring as _, device_entry};

use crate::kit::*;

const ALERT_SUBJECT: &str = "Nouvelle connexion à votre espace professionnel";

/// How many new-device alerts `to` received.
fn alerts(a: &Service, to: &str) -> usize {
    a.smtp
        .messages()
        .iter()
        .filter(|m| m.subject == ALERT_SUBJECT && m.envelope_to == [to.to_owned()])
        .count()
}

async fn wait_alerts(a: &Service, to: &str, n: usize) {
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    while alerts(a, to) < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} alert(s), not {n}",
            alerts(a, to)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn one_device_id_per_account_kept_and_a_known_device_is_not_alerted_again() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let marc = a.account("marc@example.fr", "Marc").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    wait_alerts(&a, "lila@example.fr", 1).await;
    desk.logout().await;
    login(&desk, "LILA@example.fr").await;
    login(&desk, "marc@example.fr").await;
    wait_alerts(&a, "marc@example.fr", 1).await;
    // A second log-in of Lila from here, well after the first, was not told.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(alerts(&a, "lila@example.fr"), 1);
    let devices = keyring.devices();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let id = |number: &str| {
        keyring
            .load(&device_entry(a.url.as_str(), number))
            .unwrap()
            .unwrap()
            .expose()
            .to_owned()
    };
    let (lilas, marcs) = (id(&lila), id(&marc));
    assert_ne!(lilas, marcs, "accounts share a device id");
    assert_eq!(lilas.len(), 32);
    assert!(lilas.bytes().all(|b| b.is_ascii_hexdigit()));
    // Forgotten here, the account's device id goes too.
    desk.forget_account(&lila).await.unwrap();
    assert_eq!(keyring.devices().len(), 1);
}

#[tokio::test]
async fn two_devices_seen_and_the_other_one_ended() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (_k1, _d1, office) = fresh(&a.url);
    let (_k2, _d2, laptop) = fresh(&a.url);
    office.set_device_name("Bureau de Lila").unwrap();
    assert_eq!(office.device_name(), "Bureau de Lila");
    login(&office, "lila@example.fr").await;
    login(&laptop, "lila@example.fr").await;
    let open = office.sessions().await.unwrap().sessions;
    assert_eq!(open.len(), 2);
    let mine = open.iter().find(|s| s.current).unwrap();
    assert_eq!(mine.device_name.as_deref(), Some("Bureau de Lila"));
    let other = open.iter().find(|s| !s.current).unwrap();
    assert!(
        other
            .device_name
            .as_deref()
            .is_some_and(|n| n.starts_with("Espace Pro ")),
        "{other:?}"
    );
    // This computer's own session is not ended from the list.
    let own = office.end_session(&mine.id).await.unwrap_err();
    assert_eq!(own.code, "current_session");
    office.end_session(&other.id).await.unwrap();
    // The laptop learns it on its next request, and forgets the token then.
    let gone = laptop.home().await.unwrap_err();
    assert_eq!(gone.code, "unauthorized", "{gone:?}");
    assert_eq!(laptop.home().await.unwrap_err().code, "no_session");
    assert_eq!(office.sessions().await.unwrap().sessions.len(), 1);
    // Back on the laptop, then every other device ended from the office.
    login(&laptop, "lila@example.fr").await;
    assert_eq!(office.end_other_sessions().await.unwrap(), 1);
    assert_eq!(laptop.home().await.unwrap_err().code, "unauthorized");
    // A made-up id is refused before any request; another's is the service's 404.
    assert_eq!(
        office.end_session("../password").await.unwrap_err().code,
        "not_found"
    );
}

#[tokio::test]
async fn a_device_name_the_service_would_refuse_is_refused_here() {
    let a = Service::start().await;
    let (_keyring, _dir, desk) = fresh(&a.url);
    for bad in ["deux\nlignes", &"x".repeat(101), "\u{202E}nommé"] {
        assert_eq!(desk.set_device_name(bad).unwrap_err().code, "device_name");
    }
    // Empty: the suggested name again.
    desk.set_device_name("Poste 14").unwrap();
    assert_eq!(desk.set_device_name("  ").unwrap(), desk_default());
}

fn desk_default() -> String {
    espace_pro_desk::devices::default_device_name()
}

#[tokio::test]
async fn a_log_in_from_elsewhere_is_notified_once_and_this_one_never() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (_k1, _d1, here) = fresh(&a.url);
    login(&here, "lila@example.fr").await;
    // The first look: what the activity holds is taken as seen, this log-in included.
    assert!(here.new_device_notice().await.is_none());
    // Someone logs in from elsewhere; this computer starts again and looks.
    a.api()
        .login_from(
            "lila@example.fr",
            &Secret::new(PASSWORD),
            None,
            Some(("0123456789abcdef0123456789abcdef", "PC inconnu")),
        )
        .await
        .unwrap();
    let (keyring, dir) = (_k1, _d1);
    let again = desk(&a.url, &keyring, dir.path());
    assert!(again.resume_session().await.unwrap());
    let notice = again.new_device_notice().await.expect("a notification");
    assert_eq!(notice.title, "Nouvelle connexion à votre espace");
    assert!(notice.body.contains("« PC inconnu »"), "{}", notice.body);
    assert!(
        notice.body.contains("Appareils connectés"),
        "{}",
        notice.body
    );
    // Once: neither in this session nor at the next start.
    assert!(again.new_device_notice().await.is_none());
    let third = desk(&a.url, &keyring, dir.path());
    assert!(third.resume_session().await.unwrap());
    assert!(third.new_device_notice().await.is_none());
}

#[tokio::test]
async fn my_data_as_indented_json_without_the_token() {
    let (_a, keyring, _dir, desk) = lila_signed_in().await;
    let bytes = desk.export_json().await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("\n  \"identity\": {"), "{text}");
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["identity"]["login_email"], "lila@example.fr");
    assert_eq!(data["identity"]["security_answer"], "Valence");
    let token = keyring.entries()[0].1.expose().to_owned();
    assert!(!text.contains(&token));
}
