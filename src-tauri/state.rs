//! What the app keeps between commands. The session token and one-time tickets stay here, in
//! Rust: JavaScript never sees them.

use std::path::PathBuf;

use espace_pro_client::{ApiClient, SessionVault};
use espace_pro_contract::api::{AccountView, ServiceInfo, SummaryData};
use espace_pro_contract::{PasswordContext, PasswordPolicy, Secret};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::error::{CommandError, CommandResult};

#[derive(Debug, Clone, Serialize)]
pub struct DemoInfo {
    pub accounts: Vec<String>,
    pub password: String,
    #[serde(skip)]
    pub mailbox: PathBuf,
}

pub struct AppState {
    pub api: ApiClient,
    pub vault: SessionVault,
    /// Support contacts and policy, as the service published them: asked in the background
    /// at start-up (`connect_service`), so the window never waits for it.
    pub service: std::sync::Mutex<Option<ServiceInfo>>,
    pub demo: Option<DemoInfo>,
    /// Tests only: save the summary here instead of asking with the native dialog.
    pub summary_dir: Option<PathBuf>,
    pub session: Mutex<Option<Secret>>,
    /// The account as last shown (strength-meter context, summary names).
    pub account: Mutex<Option<AccountView>>,
    /// Activation or recovery ticket between two steps.
    pub ticket: Mutex<Option<Secret>>,
    /// In recovery, logged out: the account's words the service sent with the question, for
    /// the meter.
    pub recovery_context: Mutex<Option<PasswordContext>>,
    /// The summary shown after activation, for "Sauvegardez ou imprimez le récapitulatif".
    pub last_summary: Mutex<Option<SummaryData>>,
    /// Keeps the embedded service running for the app's lifetime.
    pub embedded: Option<espace_pro_server::Application>,
}

impl AppState {
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
            .clone()
            .ok_or_else(CommandError::no_session)
    }

    /// Forgets the session everywhere (state and keyring): after log-out, expiry or revocation.
    pub async fn forget_session(&self) {
        *self.session.lock().await = None;
        *self.account.lock().await = None;
        if let Err(e) = self.vault.delete() {
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
        match call(&self.api, &token).await {
            Ok(value) => Ok(value),
            Err(e) => Err(self.fail(e).await),
        }
    }
}
