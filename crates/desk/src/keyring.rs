//! Where session tokens are kept between runs: the operating system's keyring (Secret Service,
//! Keychain, Credential Manager), one entry per service and account. Every call blocks (D-Bus,
//! system calls), so [`crate::Desk`] makes them on the blocking threads.
//!
//! The entries' names are the ones earlier versions wrote, so that an update keeps the
//! sessions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use espace_pro_client::{ClientError, SessionVault, vault::KEYRING_SERVICE};
use espace_pro_contract::Secret;

/// A store of tokens by entry name.
pub trait Keyring: Send + Sync + 'static {
    fn save(&self, entry: &str, token: &Secret) -> Result<(), ClientError>;
    fn load(&self, entry: &str) -> Result<Option<Secret>, ClientError>;
    fn delete(&self, entry: &str) -> Result<(), ClientError>;
}

/// The entry of `account`'s session (its subscriber number) on `service` (its URL or "demo").
pub fn session_entry(service: &str, account: &str) -> String {
    format!("session@{service}#{account}")
}

/// The device id `account` logs in with on `service` from this computer (SPEC §4).
pub fn device_entry(service: &str, account: &str) -> String {
    format!("device@{service}#{account}")
}

/// The one entry of `service` that versions before several accounts wrote (carried over to its
/// account's entry once, then deleted).
pub fn legacy_entry(service: &str) -> String {
    format!("session@{service}")
}

/// A session ended here whose revocation the service has not received yet: a name of its own
/// per ending, so that a second one never overwrites the first.
pub fn revocation_entry(service: &str, account: &str, serial: u128) -> String {
    format!("{}{account}#{serial}", revocation_prefix(service))
}

/// What every revocation entry of `service` starts with.
pub fn revocation_prefix(service: &str) -> String {
    format!("revoke@{service}#")
}

/// The system's keyring.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemKeyring;

impl Keyring for SystemKeyring {
    fn save(&self, entry: &str, token: &Secret) -> Result<(), ClientError> {
        SessionVault::named(KEYRING_SERVICE, entry).save(token)
    }
    fn load(&self, entry: &str) -> Result<Option<Secret>, ClientError> {
        SessionVault::named(KEYRING_SERVICE, entry).load()
    }
    fn delete(&self, entry: &str) -> Result<(), ClientError> {
        SessionVault::named(KEYRING_SERVICE, entry).delete()
    }
}

/// Tokens in this process's memory only: for the desktop rules' tests, which read what was
/// stored under which name (the system keyring's own behaviour is tested in the client crate,
/// against gnome-keyring).
#[derive(Debug, Default, Clone)]
pub struct MemoryKeyring {
    entries: Arc<Mutex<BTreeMap<String, Secret>>>,
    /// Every save, in order: (entry, token).
    saves: Arc<Mutex<Vec<(String, Secret)>>>,
}

/// A device id's entry ([`device_entry`]), which outlives the sessions.
fn is_device(entry: &str) -> bool {
    entry.starts_with("device@")
}

impl MemoryKeyring {
    /// The entries holding a token (sessions, revocations), names and tokens, in name order;
    /// the device ids are [`MemoryKeyring::devices`].
    pub fn entries(&self) -> Vec<(String, Secret)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .filter(|(k, _)| !is_device(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The device ids kept, by entry name.
    pub fn devices(&self) -> Vec<(String, Secret)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .filter(|(k, _)| is_device(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Every token ever saved, and under which name (device ids left out).
    pub fn saves(&self) -> Vec<(String, Secret)> {
        let saves = self.saves.lock().unwrap_or_else(|p| p.into_inner());
        saves
            .iter()
            .filter(|(k, _)| !is_device(k))
            .cloned()
            .collect()
    }
}

impl Keyring for MemoryKeyring {
    fn save(&self, entry: &str, token: &Secret) -> Result<(), ClientError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(entry.to_owned(), token.clone());
        let mut saves = self.saves.lock().unwrap_or_else(|p| p.into_inner());
        saves.push((entry.to_owned(), token.clone()));
        Ok(())
    }
    fn load(&self, entry: &str) -> Result<Option<Secret>, ClientError> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries.get(entry).cloned())
    }
    fn delete(&self, entry: &str) -> Result<(), ClientError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(entry);
        Ok(())
    }
}
