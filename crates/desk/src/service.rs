//! The service in use: what the window knows of it, asking it for its information, and
//! "Paramètres" (another service checked then saved, the packaged default, demo mode; the update
//! check at start). A choice takes effect at once; the previous service's keyring entries are
//! left alone.

use espace_pro_client::api::check_service_url;
use espace_pro_contract::api::{Limits, ServiceInfo, SupportContacts};
use espace_pro_contract::{PasswordPolicy, TimeZone};
use serde::Serialize;

use crate::connection::{Connection, DemoInfo};
use crate::desk::Desk;
use crate::error::{AppCode, CommandError, CommandResult};
use crate::settings::{self, Choice, Saved, Source};

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub service_url: String,
    /// Present in demo mode (embedded service): the demo addresses and their password.
    pub demo: Option<DemoInfo>,
    /// What the service published, once it has answered (`None`: not yet, or unreachable).
    pub service: Option<ServiceInfo>,
    /// The hotline and the online form: the service's, or the ones bundled with the app (the
    /// guide's), so that "Dépannage" has them when the service cannot be reached.
    pub support: SupportContacts,
    /// The rules' numbers the screens show and check: the service's, or the contract's defaults
    /// when it could not be asked.
    pub policy: PasswordPolicy,
    pub limits: Limits,
    /// Where the service in use comes from (flag, variable, saved, packaged, demo).
    pub source: Source,
    /// The organisation's service baked in at packaging, if any.
    pub packaged_url: Option<String>,
}

/// How long the window waits for the service's information before it says the service cannot
/// be reached (it keeps working meanwhile).
pub const SERVICE_INFO_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Desk {
    pub fn service(&self) -> Option<ServiceInfo> {
        self.state().service.clone()
    }

    /// The service's password rules, or the contract's defaults until it has answered.
    pub fn policy(&self) -> PasswordPolicy {
        self.service()
            .map(|s| s.password_policy)
            .unwrap_or_default()
    }

    /// The service's time zone (Europe/Paris until it has said, or if it names one this build
    /// does not know).
    pub fn time_zone(&self) -> TimeZone {
        self.service()
            .and_then(|s| TimeZone::named(&s.time_zone).ok())
            .unwrap_or_default()
    }

    /// What the window knows at once, without asking the service.
    pub fn app_info(&self) -> AppInfo {
        let (connection, service) = {
            let state = self.state();
            (state.connection.clone(), state.service.clone())
        };
        AppInfo {
            source: connection.source,
            packaged_url: settings::packaged(),
            version: env!("CARGO_PKG_VERSION"),
            service_url: connection.api.base_url().to_string(),
            demo: connection.demo.clone(),
            support: service
                .as_ref()
                .map(|s| s.support.clone())
                .unwrap_or_else(|| SupportContacts::guide(self.is_english())),
            policy: service
                .as_ref()
                .map(|s| s.password_policy)
                .unwrap_or_default(),
            limits: service.as_ref().map(|s| s.limits).unwrap_or_default(),
            service,
        }
    }

    /// Asks the service for its information (at most [`SERVICE_INFO_WAIT`]): at start-up in the
    /// background, and from the banner's "Réessayer". Once it answers, the sessions ended here
    /// while it could not be reached are revoked there.
    pub async fn connect_service(&self) -> CommandResult<AppInfo> {
        let connection = self.connection();
        let info = connection
            .api
            .service_info_within(SERVICE_INFO_WAIT)
            .await?;
        {
            let mut state = self.state();
            if std::sync::Arc::ptr_eq(&state.connection, &connection) {
                state.service = Some(info);
            }
        }
        self.send_revocations(&connection).await;
        Ok(self.app_info())
    }

    fn save_choice(&self, edit: impl FnOnce(Saved) -> Saved) -> CommandResult<()> {
        let saved = edit(settings::read_saved(&self.config_dir));
        settings::write_saved(&self.config_dir, &saved)
            .map_err(|e| CommandError::app(AppCode::Io, e))
    }

    /// Checks the service, saves it and uses it from now on.
    pub async fn use_service(&self, url: &str) -> CommandResult<AppInfo> {
        let (connection, info) = reach(url).await?;
        let service_url = connection.api.base_url().to_string();
        self.save_choice(|saved| Saved {
            service_url: Some(service_url),
            demo: false,
            ..saved
        })?;
        self.switch(connection, Some(info)).await;
        self.send_revocations(&self.connection()).await;
        Ok(self.app_info())
    }

    /// Forgets the saved choice: the packaged default, or the demo when there is none.
    pub async fn use_packaged_service(&self) -> CommandResult<AppInfo> {
        self.save_choice(|saved| Saved {
            service_url: None,
            demo: false,
            ..saved
        })?;
        let choice = match settings::packaged() {
            Some(url) => Choice {
                url: Some(url),
                source: Source::Packaged,
            },
            None => Choice {
                url: None,
                source: Source::Demo,
            },
        };
        self.switch_to(&choice).await
    }

    /// Demo mode, chosen explicitly: the embedded service with its demo accounts.
    pub async fn use_demo(&self) -> CommandResult<AppInfo> {
        self.save_choice(|saved| Saved {
            service_url: None,
            demo: true,
            ..saved
        })?;
        let choice = Choice {
            url: None,
            source: Source::Demo,
        };
        self.switch_to(&choice).await
    }

    async fn switch_to(&self, choice: &Choice) -> CommandResult<AppInfo> {
        let connection = Connection::open(choice, &self.data_dir)
            .await
            .map_err(|e| CommandError::app(AppCode::Unexpected, e))?;
        // The embedded service answers at once; a remote one may not (the window says so).
        let info = connection
            .api
            .service_info_within(SERVICE_INFO_WAIT)
            .await
            .ok();
        let reached = info.is_some();
        self.switch(connection, info).await;
        if reached {
            self.send_revocations(&self.connection()).await;
        }
        Ok(self.app_info())
    }

    /// Whether the window asks for updates at start ("Paramètres").
    pub fn update_check_enabled(&self) -> bool {
        !settings::read_saved(&self.config_dir).no_update_check
    }

    pub fn set_update_check(&self, enabled: bool) -> CommandResult<()> {
        self.save_choice(|saved| Saved {
            no_update_check: !enabled,
            ..saved
        })
    }
}

/// Asks a service for its information without using it: what "Tester" shows.
pub async fn check_service(url: &str) -> CommandResult<ServiceInfo> {
    Ok(reach(url).await?.1)
}

/// A URL the app may use (https anywhere, http only to this computer) whose service answers
/// `service-info` within [`SERVICE_INFO_WAIT`].
async fn reach(url: &str) -> CommandResult<(Connection, ServiceInfo)> {
    check_service_url(url)?;
    // Its name as it is saved (`http://host:port/`, no query): the same at the next start.
    let url = espace_pro_client::ApiClient::new(url)?
        .base_url()
        .to_string();
    let connection =
        Connection::remote(&url).map_err(|e| CommandError::app(AppCode::InsecureUrl, e))?;
    let info = connection
        .api
        .service_info_within(SERVICE_INFO_WAIT)
        .await?;
    Ok((connection, info))
}
