//! Several accounts on one computer: the list, switching, resuming at start-up, a session the
//! service no longer knows; and what "Paramètres" keeps.

use espace_pro_contract::Secret;
use espace_pro_desk::keyring::{Keyring as _, MemoryKeyring, legacy_entry, session_entry};
use espace_pro_desk::links::Opened;

use crate::kit::*;

#[tokio::test]
async fn the_list_is_most_recent_first_with_the_session_in_use() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let marc = a.account("marc@example.fr", "Marc").await;
    let (_keyring, _dir, desk) = fresh(&a.url);
    assert!(desk.known_accounts().await.is_empty());
    login(&desk, "lila@example.fr").await;
    desk.leave().await;
    login(&desk, " marc@example.fr ").await;
    let list = desk.known_accounts().await;
    let numbers: Vec<_> = list.iter().map(|k| k.subscriber_number.clone()).collect();
    assert_eq!(numbers, [marc.clone(), lila.clone()]);
    assert_eq!(list[0].login_email, "marc@example.fr");
    assert!(list[0].current && list[0].signed_in);
    assert!(!list[1].current && list[1].signed_in);
    // "Continuer avec ce compte": Lila's session taken up, Marc's kept.
    let switched = desk.switch_account(&lila).await.unwrap();
    assert!(switched.resumed);
    assert_eq!(desk.home().await.unwrap().0.first_name, "Lila");
    let list = desk.known_accounts().await;
    assert_eq!(list[0].subscriber_number, lila);
    assert!(list.iter().all(|k| k.signed_in));
    assert_eq!(
        desk.switch_account("99999999999999")
            .await
            .unwrap_err()
            .code,
        "unknown_account"
    );
}

#[tokio::test]
async fn the_last_account_resumes_at_the_next_start() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, dir) = (MemoryKeyring::default(), tempfile::tempdir().unwrap());
    desk(&a.url, &keyring, dir.path())
        .login("lila@example.fr", Secret::new(PASSWORD), None)
        .await
        .unwrap();
    let next = desk(&a.url, &keyring, dir.path());
    assert!(next.resume_session().await.unwrap());
    assert_eq!(next.home().await.unwrap().0.first_name, "Lila");
    // "Changer de compte": nothing resumes, the session is kept for the list.
    next.leave().await;
    let after = desk(&a.url, &keyring, dir.path());
    assert!(!after.resume_session().await.unwrap());
    assert!(after.known_accounts().await[0].signed_in);
}

#[tokio::test]
async fn a_session_the_service_ended_is_forgotten() {
    let (a, keyring, _dir, desk) = lila_signed_in().await;
    let token = kept(&keyring, "session@")[0].clone();
    a.api().logout(&token).await.unwrap();
    assert_eq!(desk.home().await.unwrap_err().code, "unauthorized");
    assert!(keyring.entries().is_empty());
    assert_eq!(desk.profile().await.unwrap_err().code, "no_session");
    // At the next start too: a refused entry is deleted, the log-in form shown.
    keyring.save(&session_entry(&a.url, "x"), &token).unwrap();
    assert!(!desk.known_accounts().await[0].signed_in);
}

#[tokio::test]
async fn a_refused_entry_is_deleted_at_start_and_a_later_one_kept() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let (keyring, dir) = (MemoryKeyring::default(), tempfile::tempdir().unwrap());
    desk(&a.url, &keyring, dir.path())
        .login("lila@example.fr", Secret::new(PASSWORD), None)
        .await
        .unwrap();
    let token = kept(&keyring, "session@")[0].clone();
    a.api().logout(&token).await.unwrap();
    let next = desk(&a.url, &keyring, dir.path());
    assert!(!next.resume_session().await.unwrap());
    assert!(
        keyring
            .load(&session_entry(&a.url, &lila))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_entry_of_a_version_before_several_accounts_is_carried_over() {
    let a = Service::start().await;
    let lila = a.account("lila@example.fr", "Lila").await;
    let token = a
        .api()
        .login("lila@example.fr", &Secret::new(PASSWORD), None)
        .await
        .unwrap()
        .token;
    let (keyring, dir) = (MemoryKeyring::default(), tempfile::tempdir().unwrap());
    keyring.save(&legacy_entry(&a.url), &token).unwrap();
    let desk = desk(&a.url, &keyring, dir.path());
    assert!(desk.resume_session().await.unwrap());
    let names: Vec<_> = keyring.entries().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, [session_entry(&a.url, &lila)]);
    assert_eq!(desk.known_accounts().await[0].subscriber_number, lila);
}

#[tokio::test]
async fn a_refused_log_in_keeps_nothing() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, dir, desk) = fresh(&a.url);
    let e = desk
        .login(
            "lila@example.fr",
            Secret::new("Faux1Faux2Faux3Faux4Faux"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "invalid_credentials");
    assert!(!e.message.is_empty());
    assert!(keyring.entries().is_empty());
    assert!(desk.known_accounts().await.is_empty());
    assert!(!dir.path().join("config/accounts.json").exists());
}

#[tokio::test]
async fn an_unreachable_service_is_a_network_error_and_changes_nothing() {
    let mut a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    a.stop().await;
    let e = desk
        .login("lila@example.fr", Secret::new(PASSWORD), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "network");
    assert!(!e.message.contains(PASSWORD));
    assert_eq!(desk.connect_service().await.unwrap_err().code, "network");
    assert!(desk.app_info().service.is_none());
    assert_eq!(
        desk.app_info().support.hotline,
        "0 809 400 210",
        "the guide's contacts"
    );
    assert!(keyring.entries().is_empty());
}

#[tokio::test]
async fn settings_check_save_and_refuse() {
    let a = Service::start().await;
    let (keyring, dir, desk) = fresh(&a.url);
    assert_eq!(
        espace_pro_desk::check_service("http://example.org/")
            .await
            .unwrap_err()
            .code,
        "insecure_url"
    );
    assert_eq!(
        desk.use_service("ftp://x").await.unwrap_err().code,
        "insecure_url"
    );
    // A password in the address would end up in the keyring's names and the screens.
    let e = espace_pro_desk::check_service(&a.url.replace("http://", "http://u:secret@"))
        .await
        .unwrap_err();
    assert_eq!(e.code, "insecure_url");
    assert!(!e.message.contains("secret"), "{}", e.message);
    let info = espace_pro_desk::check_service(&a.url).await.unwrap();
    assert_eq!(info.password_policy.min_chars, 20);
    let shown = desk.use_service(&a.url).await.unwrap();
    assert_eq!(shown.source, espace_pro_desk::settings::Source::Saved);
    assert_eq!(shown.policy.min_chars, 20);
    let saved = espace_pro_desk::settings::read_saved(&dir.path().join("config"));
    assert_eq!(saved.service_url.as_deref(), Some(a.url.as_str()));
    assert!(desk.update_check_enabled());
    desk.set_update_check(false).unwrap();
    let next = crate::kit::desk(&a.url, &keyring, dir.path());
    assert!(!next.update_check_enabled());
    let saved = espace_pro_desk::settings::read_saved(&dir.path().join("config"));
    assert!(saved.service_url.is_some(), "the service choice kept");
}

#[tokio::test]
async fn a_link_is_given_to_the_window_once() {
    let a = Service::start().await;
    let (_keyring, _dir, desk) = fresh(&a.url);
    assert_eq!(desk.take_link(), None);
    let args = [
        "espace-pro".to_owned(),
        "espace-pro://recovery?code=mHPstewGkBYj".to_owned(),
    ];
    desk.set_link(espace_pro_desk::links::from_args(&args));
    assert_eq!(
        desk.take_link(),
        Some(Opened::Recovery {
            code: "mHPstewGkBYj".into()
        })
    );
    assert_eq!(desk.take_link(), None);
}

#[tokio::test]
async fn the_language_follows_the_screens() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (_keyring, _dir, desk) = fresh(&a.url);
    desk.set_language("en");
    let e = desk
        .login(
            "lila@example.fr",
            Secret::new("Faux1Faux2Faux3Faux4Faux"),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        e.message.contains("Wrong") && !e.message.contains("mot de passe"),
        "{}",
        e.message
    );
    // Kept across a change of service.
    desk.use_service(&a.url).await.unwrap();
    let e = desk
        .login(
            "lila@example.fr",
            Secret::new("Faux1Faux2Faux3Faux4Faux"),
            None,
        )
        .await
        .unwrap_err();
    assert!(!e.message.contains("mot de passe"), "{}", e.message);
    assert_eq!(desk.app_info().support.hotline, "0 809 400 210");
}
