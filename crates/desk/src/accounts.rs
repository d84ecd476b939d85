//! The accounts used on this computer, per service: their address and subscriber number, never
//! a password, most recent first, and the one in use. Kept in `accounts.json` in the app's
//! configuration folder (a private file); each account's session is its own keyring entry
//! (`crate::keyring`). A session whose end the service could not be told of is listed here
//! too (its entry's name, never its token) until it is told.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Enough for an accountant's companies; the oldest beyond it are dropped from the list.
pub const MAX_ACCOUNTS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub subscriber_number: String,
    pub login_email: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PerService {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<String>,
    #[serde(default)]
    accounts: Vec<Known>,
    /// Keyring entries of sessions ended here while the service could not be reached: their
    /// revocation is sent at the next connection (`Desk::send_revocations`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    revoke: Vec<String>,
}

/// Keyed by the service (its URL, or "demo").
type Saved = BTreeMap<String, PerService>;

/// Cheap to clone (for the blocking threads); every clone is the same file.
#[derive(Clone)]
pub struct Accounts {
    path: Arc<PathBuf>,
    /// Read-modify-write of the file, one at a time.
    lock: Arc<std::sync::Mutex<()>>,
}

impl Accounts {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: Arc::new(config_dir.join("accounts.json")),
            lock: Default::default(),
        }
    }

    fn read(&self) -> Saved {
        std::fs::read_to_string(self.path.as_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn change(&self, service: &str, edit: impl FnOnce(&mut PerService)) -> std::io::Result<()> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut saved = self.read();
        let before = serde_json::to_string_pretty(&saved).map_err(std::io::Error::other)?;
        edit(saved.entry(service.to_owned()).or_default());
        saved.retain(|_, s| !s.accounts.is_empty() || !s.revoke.is_empty());
        let text = serde_json::to_string_pretty(&saved).map_err(std::io::Error::other)?;
        // Unchanged (the home screen's address, every time it loads): nothing written.
        if text == before && self.path.exists() {
            return Ok(());
        }
        espace_pro_server::files::write_private(self.path.as_path(), text.as_bytes())
    }

    /// The accounts used with `service`, most recent first, and the one in use.
    pub fn list(&self, service: &str) -> (Vec<Known>, Option<String>) {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.read()
            .remove(service)
            .map(|s| (s.accounts, s.current))
            .unwrap_or_default()
    }

    pub fn find(&self, service: &str, subscriber_number: &str) -> Option<Known> {
        self.list(service)
            .0
            .into_iter()
            .find(|k| k.subscriber_number == subscriber_number)
    }

    /// `account` has just been used: first in the list, and the one in use.
    pub fn used(&self, service: &str, account: Known) -> std::io::Result<()> {
        self.change(service, |s| {
            s.accounts
                .retain(|k| k.subscriber_number != account.subscriber_number);
            s.current = Some(account.subscriber_number.clone());
            s.accounts.insert(0, account);
            s.accounts.truncate(MAX_ACCOUNTS);
        })
    }

    /// The address shown for an account, after a change of address.
    pub fn rename(&self, service: &str, subscriber_number: &str, login_email: &str) {
        let result = self.change(service, |s| {
            for k in &mut s.accounts {
                if k.subscriber_number == subscriber_number {
                    k.login_email = login_email.to_owned();
                }
            }
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "the list of accounts could not be saved");
        }
    }

    /// No account in use (after "Quitter" or "Changer de compte"): nothing resumes at start.
    pub fn none_current(&self, service: &str) -> std::io::Result<()> {
        self.change(service, |s| s.current = None)
    }

    /// Every service with accounts on this computer (its URL, or "demo").
    pub fn services(&self) -> Vec<String> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.read().into_keys().collect()
    }

    /// Keyring entries of `service` holding sessions to revoke there.
    pub fn to_revoke(&self, service: &str) -> Vec<String> {
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.read()
            .remove(service)
            .map(|s| s.revoke)
            .unwrap_or_default()
    }

    /// `entry` holds a session to revoke at `service` (`revoked: false`), or no longer does.
    pub fn mark_revocation(
        &self,
        service: &str,
        entry: &str,
        revoked: bool,
    ) -> std::io::Result<()> {
        self.change(service, |s| {
            s.revoke.retain(|e| e != entry);
            if !revoked {
                s.revoke.push(entry.to_owned());
            }
        })
    }

    /// Off the list.
    pub fn forget(&self, service: &str, subscriber_number: &str) -> std::io::Result<()> {
        self.change(service, |s| {
            s.accounts
                .retain(|k| k.subscriber_number != subscriber_number);
            if s.current.as_deref() == Some(subscriber_number) {
                s.current = None;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(n: &str, email: &str) -> Known {
        Known {
            subscriber_number: n.into(),
            login_email: email.into(),
        }
    }

    #[test]
    fn most_recent_first_per_service_private_and_forgettable() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::new(dir.path());
        accounts
            .used("https://a", known("1", "un@example.fr"))
            .unwrap();
        accounts
            .used("https://a", known("2", "deux@example.fr"))
            .unwrap();
        accounts
            .used("demo", known("9", "demo@example.fr"))
            .unwrap();
        accounts
            .used("https://a", known("1", "un@example.fr"))
            .unwrap();
        let (list, current) = accounts.list("https://a");
        assert_eq!(
            list,
            vec![known("1", "un@example.fr"), known("2", "deux@example.fr")]
        );
        assert_eq!(current.as_deref(), Some("1"));
        assert_eq!(accounts.list("demo").0.len(), 1);
        accounts.rename("https://a", "2", "nouvelle@example.fr");
        assert_eq!(
            accounts.find("https://a", "2").unwrap().login_email,
            "nouvelle@example.fr"
        );
        accounts.none_current("https://a").unwrap();
        assert_eq!(accounts.list("https://a").1, None);
        accounts.forget("https://a", "1").unwrap();
        assert_eq!(
            accounts.list("https://a").0,
            vec![known("2", "nouvelle@example.fr")]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("accounts.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(dir.path().join("accounts.json")).unwrap();
        assert!(!text.contains("password") && !text.contains("token"));
    }

    #[test]
    fn the_list_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::new(dir.path());
        for i in 0..MAX_ACCOUNTS + 5 {
            accounts
                .used("s", known(&i.to_string(), &format!("{i}@example.fr")))
                .unwrap();
        }
        let (list, _) = accounts.list("s");
        assert_eq!(list.len(), MAX_ACCOUNTS);
        assert_eq!(list[0].subscriber_number, (MAX_ACCOUNTS + 4).to_string());
    }
}
