//! The state between commands, and the steps every operation shares: the connection taken once,
//! the session started, ended or set aside, the keyring reached off the async threads.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use espace_pro_client::{ApiClient, ClientError};
use espace_pro_contract::api::{AccountView, ServiceInfo, SummaryData};
use espace_pro_contract::{PasswordContext, Secret};

use crate::accounts::{Accounts, Known};
use crate::connection::Connection;
use crate::error::{AppCode, CommandError, CommandResult};
use crate::keyring::{self, Keyring};
use crate::links::Opened;

/// The session in use: whose it is (subscriber number) and its token. `serial` tells a session
/// from a later one of the same account.
#[derive(Clone)]
pub(crate) struct Session {
    pub serial: u64,
    pub account: String,
    pub token: Secret,
}

/// A recovery between its two steps, logged out.
#[derive(Clone)]
pub(crate) struct Recovery {
    /// The login address it was asked for: whose keyring entry its end concerns.
    pub email: String,
    /// The account's words the service sent with the question, for the meter.
    pub context: PasswordContext,
}

/// Everything that belongs to the service in use; replaced whole with it ([`Desk::switch`]).
pub(crate) struct Inner {
    pub connection: Arc<Connection>,
    /// Support contacts and policy, as the service published them (asked in the background at
    /// start-up: the window never waits for it).
    pub service: Option<ServiceInfo>,
    pub session: Option<Session>,
    /// The account as last shown (strength-meter context, summary names).
    pub account: Option<AccountView>,
    /// Activation or recovery ticket between two steps.
    pub ticket: Option<Secret>,
    pub recovery: Option<Recovery>,
    /// After an activation, logged out: the summary, once the password has been given for it.
    pub last_summary: Option<SummaryData>,
    /// The login address an activation just set, to ask the summary with the password.
    pub activated_email: Option<String>,
}

impl Inner {
    fn new(connection: Connection, service: Option<ServiceInfo>) -> Self {
        Self {
            connection: Arc::new(connection),
            service,
            session: None,
            account: None,
            ticket: None,
            recovery: None,
            last_summary: None,
            activated_email: None,
        }
    }
}

pub struct Desk {
    inner: Mutex<Inner>,
    pub(crate) keyring: Arc<dyn Keyring>,
    /// The accounts used on this computer (`accounts.json`).
    pub accounts: Accounts,
    english: AtomicBool,
    serial: AtomicU64,
    /// Bumped by "Quitter" and "Tout quitter": a log-in that began before does not install its
    /// session after.
    epoch: AtomicU64,
    /// Where "Paramètres" saves its choice, and where the demo keeps its data.
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// A link from an e-mail, waiting for the window (`take_link`).
    link: Mutex<Option<Opened>>,
    /// The session whose activity was last looked at for new devices (`new_device_notice`).
    pub(crate) notice_checked: AtomicU64,
    /// The recovery codes the second factor's enrolment gave, with the session that got them
    /// (`second_factor`): saved or printed from there, never kept on disk by the app.
    pub(crate) recovery_codes: Mutex<Option<(u64, Vec<Secret>)>>,
}

fn unpoisoned<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `work` (keyring, files) on the blocking threads; a panic there is this one's.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// A failure worth trying again later as it is: the service unreachable, failing, busy or
/// timed out, or an answer that is not its own.
fn later(e: &ClientError) -> bool {
    match e {
        ClientError::Api { status, .. } => *status >= 500 || *status == 408 || *status == 429,
        ClientError::Network(_)
        | ClientError::UntrustedCertificate(_)
        | ClientError::Decode(_)
        | ClientError::Redirected(_) => true,
        _ => false,
    }
}

impl Desk {
    /// The desk for `connection`, with what the service published if it was asked already.
    pub fn new(
        connection: Connection,
        service: Option<ServiceInfo>,
        keyring: Arc<dyn Keyring>,
        config_dir: PathBuf,
        data_dir: PathBuf,
    ) -> Self {
        Self {
            english: AtomicBool::new(connection.api.is_english()),
            inner: Mutex::new(Inner::new(connection, service)),
            keyring,
            accounts: Accounts::new(&config_dir),
            serial: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            config_dir,
            data_dir,
            link: Mutex::new(None),
            notice_checked: AtomicU64::new(0),
            recovery_codes: Mutex::new(None),
        }
    }

    /// Opens the service `choice` names (starting the embedded one for the demo) and asks an
    /// embedded service for its information at once; a remote one is asked by the window, in
    /// the background (`connect_service`).
    pub async fn open(
        choice: &crate::settings::Choice,
        keyring: Arc<dyn Keyring>,
        config_dir: PathBuf,
        data_dir: PathBuf,
    ) -> Result<Self, String> {
        let connection = Connection::open(choice, &data_dir).await?;
        let service = match connection.is_embedded() {
            true => connection.api.service_info().await.ok(),
            false => None,
        };
        Ok(Self::new(
            connection, service, keyring, config_dir, data_dir,
        ))
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, Inner> {
        unpoisoned(&self.inner)
    }

    /// The service in use, for one whole operation.
    pub fn connection(&self) -> Arc<Connection> {
        self.state().connection.clone()
    }

    pub fn is_english(&self) -> bool {
        self.english.load(Ordering::Relaxed)
    }

    /// The screens' language ("fr" or "en"): the service's messages follow it.
    pub fn set_language(&self, lang: &str) {
        self.english.store(lang == "en", Ordering::Relaxed);
        self.connection().api.set_language(lang);
    }

    pub fn set_link(&self, link: Option<Opened>) {
        *unpoisoned(&self.link) = link;
    }

    /// The link waiting for the window, given once.
    pub fn take_link(&self) -> Option<Opened> {
        unpoisoned(&self.link).take()
    }

    /// Uses another service from now on: what belonged to the previous one (session, account,
    /// tickets) is forgotten here, its keyring entries left as they are; an embedded service no
    /// longer in use is stopped. An operation still under way with the previous one keeps its
    /// own connection, and keeps nothing here.
    pub async fn switch(&self, next: Connection, info: Option<ServiceInfo>) {
        next.api
            .set_language(if self.is_english() { "en" } else { "fr" });
        let previous = std::mem::replace(&mut *self.state(), Inner::new(next, info));
        if let Ok(mut previous) = Arc::try_unwrap(previous.connection)
            && let Some(app) = previous.embedded.take()
        {
            app.shutdown().await;
        }
    }

    // The keyring, off the async threads.

    pub(crate) async fn keyring_try_load(
        &self,
        entry: String,
    ) -> Result<Option<Secret>, ClientError> {
        let keyring = self.keyring.clone();
        blocking(move || keyring.load(&entry)).await
    }

    pub(crate) async fn keyring_load(&self, entry: String) -> Option<Secret> {
        match self.keyring_try_load(entry).await {
            Ok(token) => token,
            Err(e) => {
                tracing::warn!(error = %e, "the keyring could not be read");
                None
            }
        }
    }

    pub(crate) async fn keyring_save(&self, entry: String, token: Secret) -> bool {
        let keyring = self.keyring.clone();
        match blocking(move || keyring.save(&entry, &token)).await {
            Ok(()) => true,
            Err(e) => {
                // The session still works for this run; it just will not resume after a restart.
                tracing::warn!(error = %e, "session not saved to the keyring");
                false
            }
        }
    }

    pub(crate) async fn keyring_delete(&self, entry: String) -> Result<(), ClientError> {
        let keyring = self.keyring.clone();
        blocking(move || keyring.delete(&entry)).await
    }

    /// Deletes `entry` if it still holds `token` (a later session of the same account, saved
    /// meanwhile, stays).
    pub(crate) async fn keyring_delete_if(&self, entry: String, token: Secret) {
        let keyring = self.keyring.clone();
        let deleted = blocking(move || match keyring.load(&entry)? {
            Some(held) if held.expose() == token.expose() => keyring.delete(&entry),
            _ => Ok(()),
        })
        .await;
        if let Err(e) = deleted {
            tracing::warn!(error = %e, "could not delete the session from the keyring");
        }
    }

    /// Runs `edit` on the list of accounts, off the async threads.
    pub(crate) async fn accounts_do<T: Send + 'static>(
        &self,
        edit: impl FnOnce(&Accounts) -> T + Send + 'static,
    ) -> T {
        let accounts = self.accounts.clone();
        blocking(move || edit(&accounts)).await
    }

    // Sessions.

    /// `known`'s session on `connection`, which gave `token`: kept in that service's entry for
    /// the account, the account first in its list, and the session in use if `connection` still
    /// is. If another service was chosen meanwhile, the session stays that service's (taken up
    /// from its list when it is chosen again) and nothing of it reaches the one now in use.
    pub(crate) async fn start_session(
        &self,
        connection: &Arc<Connection>,
        known: Known,
        token: Secret,
        view: Option<AccountView>,
        epoch: u64,
    ) -> CommandResult<()> {
        let entry = connection.session_entry(&known.subscriber_number);
        if self.epoch() != epoch {
            // "Quitter" came while this log-in was on its way: it ends too (a session taken up
            // from the keyring leaves it).
            self.keyring_delete_if(entry, token.clone()).await;
            self.end_at(connection, &known.subscriber_number, token)
                .await;
            return Err(CommandError::no_session());
        }
        self.keyring_save(entry.clone(), token.clone()).await;
        let key = connection.key.clone();
        let account = known.subscriber_number.clone();
        if let Err(e) = self.accounts_do(move |a| a.used(&key, known)).await {
            tracing::warn!(error = %e, "the list of accounts could not be saved");
        }
        let serial = self.serial.fetch_add(1, Ordering::Relaxed) + 1;
        {
            let mut state = self.state();
            // "Quitter" first: whatever service is in use now, a session it came after ends.
            if self.epoch() == epoch {
                if !Arc::ptr_eq(&state.connection, connection) {
                    return Err(CommandError::app(
                        AppCode::ServiceChanged,
                        "another service was chosen during the log-in",
                    ));
                }
                state.session = Some(Session {
                    serial,
                    account,
                    token,
                });
                state.account = view;
                return Ok(());
            }
        }
        // "Quitter" came while the session was being kept: it ends too, and nothing resumes.
        self.keyring_delete_if(entry, token.clone()).await;
        self.none_current(connection).await;
        self.end_at(connection, &account, token).await;
        Err(CommandError::no_session())
    }

    /// The count of "Quitter" so far: taken when a log-in begins, checked when it ends.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Every log-in on its way from now on ends instead of installing its session.
    pub(crate) fn quit_in_flight(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The session in use with its connection, read together.
    pub(crate) fn session(&self) -> CommandResult<(Arc<Connection>, Session)> {
        let state = self.state();
        let session = state.session.clone().ok_or_else(CommandError::no_session)?;
        Ok((state.connection.clone(), session))
    }

    /// Takes the session in use out of the state if it is still `serial` (any when `None`).
    pub(crate) fn take_session(&self, serial: Option<u64>) -> Option<(Arc<Connection>, Session)> {
        let mut state = self.state();
        let matches = state
            .session
            .as_ref()
            .is_some_and(|s| serial.is_none_or(|n| n == s.serial));
        if !matches {
            return None;
        }
        state.account = None;
        let session = state.session.take()?;
        // The recovery codes just given belong to the session that got them.
        *self
            .recovery_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        Some((state.connection.clone(), session))
    }

    /// No account in use on `connection`'s service: nothing resumes at the next start.
    pub(crate) async fn none_current(&self, connection: &Connection) {
        let key = connection.key.clone();
        if let Err(e) = self.accounts_do(move |a| a.none_current(&key)).await {
            tracing::warn!(error = %e, "the list of accounts could not be saved");
        }
    }

    /// The service no longer knows `session`: forgotten here and in the keyring.
    pub(crate) async fn drop_session(&self, connection: &Arc<Connection>, session: &Session) {
        if self.take_session(Some(session.serial)).is_some() {
            self.none_current(connection).await;
        }
        self.keyring_delete_if(
            connection.session_entry(&session.account),
            session.token.clone(),
        )
        .await;
    }

    /// Calls the service with the session's token and its own connection, and maps the error
    /// (forgetting a session the service no longer knows): what every logged-in command does.
    pub async fn with_session<T>(
        &self,
        call: impl AsyncFnOnce(&ApiClient, &Secret) -> Result<T, ClientError>,
    ) -> CommandResult<T> {
        let (connection, session) = self.session()?;
        match call(&connection.api, &session.token).await {
            Ok(value) => Ok(value),
            Err(e) => {
                if e.is_unauthorized() {
                    self.drop_session(&connection, &session).await;
                }
                Err(e.into())
            }
        }
    }

    /// Ends `token`'s session (`account`'s) at `connection`'s service. If the service could not
    /// be told (unreachable, failing), the token is kept under an entry of its own and listed,
    /// and [`Desk::send_revocations`] tells it at the next connection.
    pub(crate) async fn end_at(&self, connection: &Connection, account: &str, token: Secret) {
        match connection.api.logout(&token).await {
            // Ended, or no longer known there.
            Ok(()) => {}
            Err(e) if e.is_unauthorized() => {}
            // Unreachable, failing, throttled, timed out, redirected: told again later.
            Err(e) => {
                tracing::info!(error = %e, "log-out not received by the service; sent again at the next connection");
                self.keep_for_revocation(&connection.key, account, token)
                    .await;
            }
        }
    }

    /// Keeps `token` to be revoked at `service` when it can be reached.
    pub(crate) async fn keep_for_revocation(&self, service: &str, account: &str, token: Secret) {
        let stamp = time::OffsetDateTime::now_utc()
            .unix_timestamp_nanos()
            .max(0) as u128
            + u128::from(self.serial.fetch_add(1, Ordering::Relaxed));
        let entry = keyring::revocation_entry(service, account, stamp);
        if self.keyring_save(entry.clone(), token).await {
            let service = service.to_owned();
            if let Err(e) = self
                .accounts_do(move |a| a.mark_revocation(&service, &entry, false))
                .await
            {
                tracing::warn!(error = %e, "the pending revocation could not be listed");
            }
        }
    }

    /// Tells `connection`'s service of the sessions ended here while it could not be reached;
    /// stops at the first it still cannot receive.
    pub async fn send_revocations(&self, connection: &Connection) {
        let key = connection.key.clone();
        let pending = self.accounts_do(move |a| a.to_revoke(&key)).await;
        // Only this service's own revocation entries: a name the list holds is never trusted
        // to pick a token of another service or a session still in use.
        let own = keyring::revocation_prefix(&connection.key);
        for entry in pending {
            if !entry.starts_with(&own) {
                tracing::warn!("a pending revocation that is not this service's was dropped");
                let (key, entry) = (connection.key.clone(), entry.clone());
                let _ = self
                    .accounts_do(move |a| a.mark_revocation(&key, &entry, true))
                    .await;
                continue;
            }
            let token = match self.keyring_try_load(entry.clone()).await {
                Ok(token) => token,
                // A keyring still locked: tried again at the next connection.
                Err(_) => return,
            };
            if let Some(token) = token {
                match connection.api.logout(&token).await {
                    Ok(()) => {}
                    Err(e) if e.is_unauthorized() => {}
                    // Down, failing, busy: the rest waits for the next connection too.
                    Err(e) if later(&e) => return,
                    // Refused for another reason (a proxy in front, say): kept, the next one
                    // tried.
                    Err(_) => continue,
                }
                if let Err(e) = self.keyring_delete(entry.clone()).await {
                    tracing::warn!(error = %e, "a revoked session stays in the keyring");
                    continue;
                }
            }
            let key = connection.key.clone();
            if let Err(e) = self
                .accounts_do(move |a| a.mark_revocation(&key, &entry, true))
                .await
            {
                tracing::warn!(error = %e, "the list of accounts could not be saved");
            }
        }
    }
}
