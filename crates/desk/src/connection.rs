//! The service in use and what belongs to it. An operation takes the connection once
//! (`Desk::connection`, an `Arc`) and uses it for every step (the API, the keyring entries'
//! names, revocations): what a service gave is never kept or sent under another.

use std::path::{Path, PathBuf};

use espace_pro_client::ApiClient;
use serde::Serialize;

use crate::keyring;
use crate::settings::{Choice, Source};

#[derive(Debug, Clone, Serialize)]
pub struct DemoInfo {
    pub accounts: Vec<String>,
    pub password: String,
    /// The demo account with a second factor, and its secret (base32, grouped by 4).
    pub second_factor_account: String,
    pub second_factor_secret: String,
    #[serde(skip)]
    pub mailbox: PathBuf,
}

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
    pub(crate) embedded: Option<espace_pro_server::Application>,
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
            // The URL as it was given: the name earlier versions gave the entries.
            key: match demo {
                Some(_) => "demo".into(),
                None => url,
            },
            api,
            demo,
            source: choice.source,
            embedded,
        })
    }

    /// A connection to `url` for what remains to be done there (revocations), outside the one
    /// in use.
    pub fn remote(url: &str) -> Result<Self, String> {
        let api = ApiClient::new(url).map_err(|e| e.to_string())?;
        Ok(Self {
            key: url.to_owned(),
            api,
            demo: None,
            source: Source::Saved,
            embedded: None,
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// The keyring entry of `account`'s session on this service.
    pub fn session_entry(&self, account: &str) -> String {
        keyring::session_entry(&self.key, account)
    }

    /// The one entry of this service written before several accounts.
    pub fn legacy_entry(&self) -> String {
        keyring::legacy_entry(&self.key)
    }
}
