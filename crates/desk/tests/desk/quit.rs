//! "Quitter", "Tout quitter" and "Oublier ce compte": the session ends at the service that gave
//! it, including when it could not be reached at that moment.

use espace_pro_contract::Secret;
use espace_pro_desk::keyring::MemoryKeyring;

use crate::kit::*;

async fn login(desk: &espace_pro_desk::Desk, email: &str) {
    desk.login(email, Secret::new(PASSWORD), None)
        .await
        .unwrap();
}

/// The token last saved.
fn last_token(keyring: &MemoryKeyring) -> Secret {
    keyring.saves().last().expect("a token saved").1.clone()
}

#[tokio::test]
async fn quitting_ends_the_session_at_the_service_and_in_the_keyring() {
    let (a, keyring, _dir, desk) = lila_signed_in().await;
    let token = last_token(&keyring);
    assert!(a.accepts(&token).await);
    desk.logout().await;
    assert!(!a.accepts(&token).await, "still valid at the service");
    assert!(keyring.entries().is_empty(), "{:?}", keyring.entries());
    let list = desk.known_accounts().await;
    assert_eq!(list.len(), 1, "the account stays in the list");
    assert!(!list[0].signed_in && !list[0].current);
    assert_eq!(desk.home().await.unwrap_err().code, "no_session");
}

#[tokio::test]
async fn quitting_while_the_service_is_down_revokes_at_the_next_connection() {
    let mut a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    let token = last_token(&keyring);
    a.stop().await;
    desk.logout().await;
    assert_eq!(desk.home().await.unwrap_err().code, "no_session");
    assert!(
        kept(&keyring, "session@").is_empty(),
        "the session would resume"
    );
    assert_eq!(kept(&keyring, "revoke@").len(), 1, "nothing kept to revoke");
    a.restart().await;
    assert!(
        a.accepts(&token).await,
        "not revoked yet: the service was down"
    );
    // A new start of the app, say: the window asks the service for its information.
    let desk = crate::kit::desk(&a.url, &keyring, dir.path());
    desk.connect_service().await.unwrap();
    assert!(!a.accepts(&token).await, "the revocation was not sent");
    assert!(keyring.entries().is_empty(), "{:?}", keyring.entries());
    assert!(desk.accounts.to_revoke(&a.url).is_empty());
    // Sent once: the next connection has nothing left to send.
    desk.connect_service().await.unwrap();
}

#[tokio::test]
async fn quitting_all_ends_every_session_on_every_service() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    a.account("marc@example.fr", "Marc").await;
    let b = Service::start().await;
    b.account("zoe@example.fr", "Zoé").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    let lila = last_token(&keyring);
    desk.leave().await;
    login(&desk, "marc@example.fr").await;
    let marc = last_token(&keyring);
    desk.use_service(&b.url).await.unwrap();
    login(&desk, "zoe@example.fr").await;
    let zoe = last_token(&keyring);
    assert_eq!(kept(&keyring, "session@").len(), 3);
    desk.logout_all().await.unwrap();
    assert!(
        !a.accepts(&lila).await && !a.accepts(&marc).await,
        "A's sessions live on"
    );
    assert!(!b.accepts(&zoe).await);
    assert!(keyring.entries().is_empty(), "{:?}", keyring.entries());
    assert_eq!(desk.home().await.unwrap_err().code, "no_session");
    assert_eq!(desk.known_accounts().await.len(), 1, "B's list stays");
    desk.use_service(&a.url).await.unwrap();
    assert!(!desk.resume_session().await.unwrap());
    assert_eq!(desk.known_accounts().await.len(), 2, "A's list stays");
}

#[tokio::test]
async fn quitting_all_with_a_service_down_revokes_there_when_it_is_back() {
    let mut a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let b = Service::start().await;
    b.account("zoe@example.fr", "Zoé").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    let lila = last_token(&keyring);
    desk.use_service(&b.url).await.unwrap();
    login(&desk, "zoe@example.fr").await;
    a.stop().await;
    desk.logout_all().await.unwrap();
    assert!(kept(&keyring, "session@").is_empty());
    assert_eq!(kept(&keyring, &format!("revoke@{}", a.url)).len(), 1);
    a.restart().await;
    assert!(a.accepts(&lila).await);
    desk.use_service(&a.url).await.unwrap();
    assert!(!a.accepts(&lila).await, "revoked when A was chosen again");
    assert!(keyring.entries().is_empty());
}

#[tokio::test]
async fn forgetting_an_account_revokes_its_session_and_unlists_it() {
    let a = Service::start().await;
    let lila_number = a.account("lila@example.fr", "Lila").await;
    a.account("marc@example.fr", "Marc").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    let lila = last_token(&keyring);
    desk.leave().await;
    login(&desk, "marc@example.fr").await;
    let marc = last_token(&keyring);
    desk.forget_account(&lila_number).await.unwrap();
    assert!(!a.accepts(&lila).await);
    assert!(a.accepts(&marc).await, "the other account's session ended");
    let list = desk.known_accounts().await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].login_email, "marc@example.fr");
    assert!(list[0].current && list[0].signed_in);
    assert_eq!(desk.home().await.unwrap().0.first_name, "Marc");
}

/// "Quitter" while another service is in use than the one of a session set aside: only the
/// session in use ends.
#[tokio::test]
async fn quitting_ends_only_the_session_in_use() {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    a.account("marc@example.fr", "Marc").await;
    let (keyring, _dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    let lila = last_token(&keyring);
    desk.leave().await;
    login(&desk, "marc@example.fr").await;
    let marc = last_token(&keyring);
    desk.logout().await;
    assert!(!a.accepts(&marc).await);
    assert!(a.accepts(&lila).await);
    assert_eq!(kept(&keyring, "session@").len(), 1);
}
