//! The session tokens in the operating system's keyring (Secret Service, Keychain, Credential
//! Manager): one entry per service and account, saved at log-in, read at start-up or when
//! switching accounts to resume, deleted at log-out or when refused.

use espace_pro_contract::Secret;
use keyring::Entry;

use crate::ClientError;

pub const KEYRING_SERVICE: &str = "fr.espacepro.desktop";

#[derive(Debug, Clone)]
pub struct SessionVault {
    service: String,
    /// One entry per service URL and account, so a demo session never resumes against a real
    /// service, nor one account's session as another's.
    user: String,
}

fn keyring_error(e: keyring::Error) -> ClientError {
    ClientError::Keyring(e.to_string())
}

impl SessionVault {
    /// The entry of one service URL, without an account: what versions before several accounts
    /// wrote (read once to carry its session over, then deleted).
    pub fn new(service: &str, service_url: &str) -> Self {
        Self {
            service: service.to_owned(),
            user: format!("session@{service_url}"),
        }
    }

    /// The entry named `user` (the desktop core names them: `espace_pro_desk::keyring`).
    pub fn named(service: &str, user: &str) -> Self {
        Self {
            service: service.to_owned(),
            user: user.to_owned(),
        }
    }

    /// The entry of `account` (its subscriber number) on the service at `service_url`.
    pub fn for_account(service: &str, service_url: &str, account: &str) -> Self {
        Self {
            service: service.to_owned(),
            user: format!("session@{service_url}#{account}"),
        }
    }

    fn entry(&self) -> Result<Entry, ClientError> {
        Entry::new(&self.service, &self.user).map_err(keyring_error)
    }

    pub fn save(&self, token: &Secret) -> Result<(), ClientError> {
        self.entry()?
            .set_password(token.expose())
            .map_err(keyring_error)
    }

    pub fn load(&self) -> Result<Option<Secret>, ClientError> {
        match self.entry()?.get_password() {
            Ok(token) => Ok(Some(Secret::new(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    pub fn delete(&self) -> Result<(), ClientError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}
