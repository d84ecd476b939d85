//! What the app keeps between commands. The session token and one-time tickets stay here, in
//! Rust: JavaScript never sees them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use espace_pro_client::{ApiClient, SessionVault, vault::KEYRING_SERVICE};

use crate::accounts::{Accounts, Known};
use espace_pro_contract::api::{AccountView, ServiceInfo, SummaryData};
use espace_pro_contract::{PasswordContext, PasswordPolicy, Secret};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::error::{CommandError, CommandResult};
use crate::settings::{Choice, Source};

#[derive(Debug, Clone, Serialize)]
pub struct DemoInfo {
    pub accounts: Vec<String>,
    pub password: String,
    #[serde(skip)]
    pub mailbox: PathBuf,
}

/// The service in use and what belongs to it: swapped whole when "Paramètres" picks another.
pub struct Connection {
    pub api: ApiClient,
    /// The service's name for the keyring and the list of accounts: its URL, or "demo" (the
    /// embedded service's port changes at every start). Choosing another service leaves the
    /// previous one's entries alone.
    pub key: String,
    /// Present in demo mode (embedded service).
    pub demo: Option<DemoInfo>,
    pub source: Source,
    /// Keeps the embedded service running while it is the one in use.
    embedded: Option<espace_pro_server::Application>,
}

impl Connection {
    /// The service `choice` names, or the embedded demo service (started here).
    pub async fn open(choice: &Choice, data_dir: &Path) -> Result<Self, String> {
        let (url, embedded, demo) = match &choice.url {
            Some(url) => (url.clone(), None, None),
            None => {
                let (app, demo) = crate::embedded::start(data_dir).await?;
                (format!("http://{}", app.addr()), Some(app), Some(demo))
            }
        };
        let api = ApiClient::new(&url).map_err(|e| e.to_string())?;
        Ok(Self {
            key: if demo.is_some() { "demo".into() } else { url },
            api,
            demo,
            source: choice.source,
            embedded,
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The keyring entry of `account`'s session on this service.
    pub fn vault(&self, account: &str) -> SessionVault {
        SessionVault::for_account(KEYRING_SERVICE, &self.key, account)
    }

    /// The one entry of this service written before several accounts.
    pub fn legacy_vault(&self) -> SessionVault {
        SessionVault::new(KEYRING_SERVICE, &self.key)
    }
}

/// The session in use: whose it is (subscriber number) and its token.
#[derive(Clone)]
pub struct Session {
    pub account: String,
    pub token: Secret,
}

pub struct AppState {
    connection: std::sync::RwLock<Arc<Connection>>,
    /// Where "Paramètres" saves its choice, and where the demo keeps its data.
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// Support contacts and policy, as the service published them: asked in the background
    /// at start-up (`connect_service`), so the window never waits for it.
    pub service: std::sync::Mutex<Option<ServiceInfo>>,
    /// Tests only: save the summary here instead of asking with the native dialog.
    pub summary_dir: Option<PathBuf>,
    pub session: Mutex<Option<Session>>,
    /// The accounts used on this computer (`accounts.json`).
    pub accounts: Accounts,
    /// The account as last shown (strength-meter context, summary names).
    pub account: Mutex<Option<AccountView>>,
    /// Activation or recovery ticket between two steps.
    pub ticket: Mutex<Option<Secret>>,
    /// In recovery, logged out: the account's words the service sent with the question, for
    /// the meter.
    pub recovery_context: Mutex<Option<PasswordContext>>,
    /// After an activation, logged out: the summary, once the password has been given for it
    /// ("Sauvegardez ou imprimez le récapitulatif").
    pub last_summary: Mutex<Option<SummaryData>>,
    /// The login address an activation just set, to ask the summary with the password.
    pub activated_email: Mutex<Option<String>>,
    /// A link from an e-mail, waiting for the window (`take_link`).
    pub link: std::sync::Mutex<Option<crate::links::Opened>>,
}

impl AppState {
    pub fn new(connection: Connection, config_dir: PathBuf, data_dir: PathBuf) -> Self {
        Self {
            connection: std::sync::RwLock::new(Arc::new(connection)),
            accounts: Accounts::new(&config_dir),
            config_dir,
            data_dir,
            service: std::sync::Mutex::new(None),
            summary_dir: crate::test_summary_dir(),
            session: Mutex::new(None),
            account: Mutex::new(None),
            ticket: Mutex::new(None),
            recovery_context: Mutex::new(None),
            last_summary: Mutex::new(None),
            activated_email: Mutex::new(None),
            link: std::sync::Mutex::new(None),
        }
    }

    pub fn connection(&self) -> Arc<Connection> {
        self.connection
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn api(&self) -> ApiClient {
        self.connection().api.clone()
    }

    /// The service's name for the keyring and the list of accounts.
    pub fn service_key(&self) -> String {
        self.connection().key.clone()
    }

    pub fn demo(&self) -> Option<DemoInfo> {
        self.connection().demo.clone()
    }

    /// The screens' language, as the service's client asks for it.
    pub fn is_english(&self) -> bool {
        self.connection().api.is_english()
    }

    pub fn set_language(&self, lang: &str) {
        self.connection().api.set_language(lang);
    }

    /// Uses another service from now on: what belonged to the previous one (session, account,
    /// tickets) is forgotten here, its keyring entry left as it is; an embedded service no
    /// longer in use is stopped.
    pub async fn switch(&self, next: Connection, info: Option<ServiceInfo>) {
        next.api
            .set_language(if self.is_english() { "en" } else { "fr" });
        *self.session.lock().await = None;
        *self.account.lock().await = None;
        *self.ticket.lock().await = None;
        *self.recovery_context.lock().await = None;
        *self.last_summary.lock().await = None;
        *self.activated_email.lock().await = None;
        *self.service.lock().unwrap_or_else(|p| p.into_inner()) = info;
        let previous = std::mem::replace(
            &mut *self.connection.write().unwrap_or_else(|p| p.into_inner()),
            Arc::new(next),
        );
        if let Ok(mut previous) = Arc::try_unwrap(previous)
            && let Some(app) = previous.embedded.take()
        {
            app.shutdown().await;
        }
    }

    pub fn service(&self) -> Option<ServiceInfo> {
        self.service
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The service's password rules, or the contract's defaults until it has answered.
    pub fn policy(&self) -> PasswordPolicy {
        self.service()
            .map(|s| s.password_policy)
            .unwrap_or_default()
    }

    /// The service's time zone (Europe/Paris until it has said, or if it names one this build
    /// does not know).
    pub fn time_zone(&self) -> espace_pro_contract::TimeZone {
        self.service()
            .and_then(|s| espace_pro_contract::TimeZone::named(&s.time_zone).ok())
            .unwrap_or_default()
    }

    pub async fn token(&self) -> CommandResult<Secret> {
        self.session
            .lock()
            .await
            .as_ref()
            .map(|s| s.token.clone())
            .ok_or_else(CommandError::no_session)
    }

    /// `account`'s session is the one in use from now on: kept in its keyring entry, the
    /// account first in the list.
    pub async fn start_session(&self, account: Known, token: Secret) {
        let connection = self.connection();
        if let Err(e) = connection.vault(&account.subscriber_number).save(&token) {
            // The session still works for this run; it just will not resume after a restart.
            tracing::warn!(error = %e, "session not saved to the keyring");
        }
        if let Err(e) = self.accounts.used(&connection.key, account.clone()) {
            tracing::warn!(error = %e, "the list of accounts could not be saved");
        }
        *self.account.lock().await = None;
        *self.session.lock().await = Some(Session {
            account: account.subscriber_number,
            token,
        });
    }

    /// No session in use, the keyring left as it is ("Changer de compte"): the account's session
    /// can be taken up again from the list.
    pub async fn leave_session(&self) {
        *self.session.lock().await = None;
        *self.account.lock().await = None;
        if let Err(e) = self.accounts.none_current(&self.service_key()) {
            tracing::warn!(error = %e, "the list of accounts could not be saved");
        }
    }

    /// Forgets the session in use everywhere (state and keyring): after log-out, expiry or
    /// revocation. The account stays in the list.
    pub async fn forget_session(&self) {
        let Some(session) = self.session.lock().await.take() else {
            return;
        };
        self.leave_session().await;
        if let Err(e) = self.connection().vault(&session.account).delete() {
            tracing::warn!(error = %e, "could not delete the session from the keyring");
        }
    }

    /// Maps an API failure, forgetting the session when the service no longer knows it.
    pub async fn fail(&self, e: espace_pro_client::ClientError) -> CommandError {
        if e.is_unauthorized() {
            self.forget_session().await;
        }
        e.into()
    }

    /// Calls the service with the session's token and maps the error (forgetting a session the
    /// service no longer knows): what every logged-in command does.
    pub async fn with_session<T>(
        &self,
        call: impl AsyncFnOnce(&ApiClient, &Secret) -> Result<T, espace_pro_client::ClientError>,
    ) -> CommandResult<T> {
        let token = self.token().await?;
        match call(&self.api(), &token).await {
            Ok(value) => Ok(value),
            Err(e) => Err(self.fail(e).await),
        }
    }
}
