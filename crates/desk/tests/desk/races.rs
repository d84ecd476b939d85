//! Another service chosen in "Paramètres" while a log-in or the start-up resume is on its way:
//! the token the first service gives is never kept under the second's name, nor sent to it.

use std::sync::Arc;

use espace_pro_contract::Secret;
use espace_pro_desk::keyring::{MemoryKeyring, session_entry};

use crate::kit::*;

struct Race {
    a: Service,
    _b: Service,
    relay_a: Relay,
    relay_b: Relay,
    keyring: MemoryKeyring,
    dir: tempfile::TempDir,
}

async fn race() -> Race {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let b = Service::start().await;
    b.account("lila@example.fr", "Lila").await;
    Race {
        relay_a: Relay::to(&a.url).await,
        relay_b: Relay::to(&b.url).await,
        a,
        _b: b,
        keyring: MemoryKeyring::default(),
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Race {
    /// Nothing of A's reached B or is kept under B's name, and the desk is on B with no session.
    async fn assert_b_untouched(&self, desk: &espace_pro_desk::Desk) {
        let b_prefix = format!("session@{}", self.relay_b.url);
        assert!(
            kept(&self.keyring, &b_prefix).is_empty(),
            "a token kept under B's name"
        );
        for (name, token) in self.keyring.saves() {
            assert!(name.contains(&self.relay_a.url), "{name} saved");
            assert!(
                !self.relay_b.sent().contains(token.expose()),
                "A's token sent to B"
            );
        }
        assert!(
            !self
                .relay_b
                .sent()
                .to_ascii_lowercase()
                .contains("authorization"),
            "B was sent a session:\n{}",
            self.relay_b.sent()
        );
        assert_eq!(desk.app_info().service_url, self.relay_b.url);
        assert_eq!(desk.home().await.unwrap_err().code, "no_session");
        assert!(
            desk.known_accounts().await.is_empty(),
            "B's list got A's account"
        );
    }
}

#[tokio::test]
async fn a_service_chosen_during_a_slow_login_never_gets_its_token() {
    let race = race().await;
    let desk = Arc::new(desk(&race.relay_a.url, &race.keyring, race.dir.path()));
    race.relay_a.hold();
    let login = tokio::spawn({
        let desk = desk.clone();
        async move {
            desk.login("lila@example.fr", Secret::new(PASSWORD), None)
                .await
        }
    });
    race.relay_a.arrival().await;
    desk.use_service(&race.relay_b.url).await.unwrap();
    race.relay_a.release();
    let e = login.await.unwrap().unwrap_err();
    assert_eq!(e.code, "service_changed");
    race.assert_b_untouched(&desk).await;
    // The session stays A's: kept under A's name, valid there, taken up when A is chosen again.
    let token = kept(&race.keyring, &format!("session@{}", race.relay_a.url));
    assert_eq!(token.len(), 1);
    assert!(race.a.accepts(&token[0]).await);
    desk.use_service(&race.relay_a.url).await.unwrap();
    assert!(desk.resume_session().await.unwrap());
    assert_eq!(desk.home().await.unwrap().0.first_name, "Lila");
}

#[tokio::test]
async fn a_service_chosen_during_the_resume_never_gets_its_token() {
    let race = race().await;
    {
        let first_run = desk(&race.relay_a.url, &race.keyring, race.dir.path());
        first_run
            .login("lila@example.fr", Secret::new(PASSWORD), None)
            .await
            .unwrap();
    }
    // The next start: the resume is slow to get its answer.
    let desk = Arc::new(desk(&race.relay_a.url, &race.keyring, race.dir.path()));
    race.relay_a.hold();
    let resume = tokio::spawn({
        let desk = desk.clone();
        async move { desk.resume_session().await }
    });
    race.relay_a.arrival().await;
    desk.use_service(&race.relay_b.url).await.unwrap();
    race.relay_a.release();
    assert!(
        !resume.await.unwrap().unwrap(),
        "resumed on the wrong service"
    );
    race.assert_b_untouched(&desk).await;
    assert_eq!(
        kept(&race.keyring, &format!("session@{}", race.relay_a.url)).len(),
        1
    );
}

/// Each service keeps its own sessions: A's token, even revoked, is never sent to B; B's is
/// kept under B's name.
#[tokio::test]
async fn each_service_keeps_its_own_sessions() {
    let race = race().await;
    let desk = Arc::new(desk(&race.relay_a.url, &race.keyring, race.dir.path()));
    login(&desk, "lila@example.fr").await;
    let token = kept(&race.keyring, "session@")[0].clone();
    // The pooled connection would not wait: revoke the session at A from outside, then ask.
    race.a.api().logout(&token).await.unwrap();
    desk.use_service(&race.relay_b.url).await.unwrap();
    login(&desk, "lila@example.fr").await;
    assert_eq!(desk.home().await.unwrap().0.first_name, "Lila");
    let b_entry = session_entry(
        &race.relay_b.url,
        &desk.known_accounts().await[0].subscriber_number,
    );
    assert!(
        race.keyring
            .entries()
            .iter()
            .any(|(name, _)| *name == b_entry)
    );
    assert!(!race.relay_b.sent().contains(token.expose()));
}

/// "Tout quitter" while a log-in is on its way: the session it brings back ends too, instead of
/// being kept and resumed at the next start.
#[tokio::test]
async fn quitting_all_during_a_slow_login_ends_that_session_too() {
    let race = race().await;
    let desk = Arc::new(desk(&race.relay_a.url, &race.keyring, race.dir.path()));
    race.relay_a.hold();
    let login = tokio::spawn({
        let desk = desk.clone();
        async move { login_result(&desk).await }
    });
    race.relay_a.arrival().await;
    desk.logout_all().await.unwrap();
    race.relay_a.release();
    assert_eq!(login.await.unwrap().unwrap_err().code, "no_session");
    // The log-out it sent (the only request carrying a token through A's relay).
    let sent = race.relay_a.sent();
    let bearer = sent
        .split("authorization: Bearer ")
        .nth(1)
        .expect("the late session was ended at A")
        .split("\r\n")
        .next()
        .unwrap()
        .to_owned();
    let token = Secret::new(bearer);
    assert!(
        !race.a.accepts(&token).await,
        "the late session lives on at the service"
    );
    assert!(kept(&race.keyring, "session@").is_empty());
    assert_eq!(desk.home().await.unwrap_err().code, "no_session");
    let next = crate::kit::desk(&race.relay_a.url, &race.keyring, race.dir.path());
    assert!(!next.resume_session().await.unwrap());
}

async fn login_result(desk: &espace_pro_desk::Desk) -> espace_pro_desk::CommandResult<()> {
    desk.login("lila@example.fr", Secret::new(PASSWORD), None)
        .await
        .map(|_| ())
}

/// A list of pending revocations written by someone else (accounts.json is a file) cannot make
/// the desk send another service's token, nor end a session still in use.
#[tokio::test]
async fn a_forged_pending_revocation_sends_nothing() {
    let race = race().await;
    let desk = desk(&race.relay_a.url, &race.keyring, race.dir.path());
    login(&desk, "lila@example.fr").await;
    let (entry, token) = race.keyring.entries().pop().unwrap();
    let file = race.dir.path().join("config/accounts.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved[race.relay_b.url.as_str()] = serde_json::json!({"accounts": [], "revoke": [entry]});
    std::fs::write(&file, saved.to_string()).unwrap();
    desk.use_service(&race.relay_b.url).await.unwrap();
    desk.connect_service().await.unwrap();
    assert!(
        !race.relay_b.sent().contains(token.expose()),
        "A's token sent to B"
    );
    assert!(race.a.accepts(&token).await);
    assert!(
        race.keyring
            .entries()
            .iter()
            .any(|(name, _)| *name == entry)
    );
    assert!(
        desk.accounts.to_revoke(&race.relay_b.url).is_empty(),
        "the forged line stays"
    );
}
