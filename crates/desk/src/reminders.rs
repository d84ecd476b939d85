//! Expiry reminders: at the service's thresholds (30, 7 and 1 days before the password expires
//! by default), a desktop notification once per threshold, and the home screen's banner (in the
//! window). Checked when the home screen loads (at start, after log-in) and once a day while the
//! app runs (the shell shows the notification [`due`] returns).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use espace_pro_contract::api::AccountView;

/// The threshold `days_left` has reached: the smallest of `thresholds` at or above it. None
/// before the first, and once expired (the log-in says so then).
pub fn reached(days_left: i64, thresholds: &[u32]) -> Option<u32> {
    if days_left < 0 {
        return None;
    }
    thresholds
        .iter()
        .copied()
        .filter(|&t| days_left <= i64::from(t))
        .min()
}

/// The reminders already shown, per service, account and expiry date: `reminders.json` in the
/// app's data folder (private). A new password has a new expiry date, so its reminders start
/// again.
pub struct Ledger {
    path: PathBuf,
}

type Shown = BTreeMap<String, Vec<u32>>;

impl Ledger {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("reminders.json"),
        }
    }

    fn read(&self) -> Shown {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Records `threshold` for `key`; true when it was not recorded yet (the notification is
    /// due).
    pub fn first_time(&self, key: &str, threshold: u32) -> std::io::Result<bool> {
        let mut shown = self.read();
        let entry = shown.entry(key.to_owned()).or_default();
        if entry.contains(&threshold) {
            return Ok(false);
        }
        entry.push(threshold);
        let text = serde_json::to_string(&shown).map_err(std::io::Error::other)?;
        espace_pro_server::files::write_private(&self.path, text.as_bytes())?;
        Ok(true)
    }
}

impl Ledger {
    /// What was recorded under `key`, if anything ever was.
    pub fn recorded(&self, key: &str) -> Option<Vec<u32>> {
        self.read().remove(key)
    }

    /// Records `values` under `key`, replacing what was there.
    pub fn record(&self, key: &str, values: Vec<u32>) -> std::io::Result<()> {
        let mut shown = self.read();
        shown.insert(key.to_owned(), values);
        let text = serde_json::to_string(&shown).map_err(std::io::Error::other)?;
        espace_pro_server::files::write_private(&self.path, text.as_bytes())
    }
}

pub fn key(service_url: &str, account: &AccountView) -> String {
    format!(
        "{service_url}|{}|{}",
        account.subscriber_number, account.password_expires_on
    )
}

/// The notification's title and text, in the screens' language.
pub fn message(account: &AccountView, english: bool) -> (String, String) {
    let date = espace_pro_server::dates::short_french(account.password_expires_on);
    let days = account.password_expires_in_days.unwrap_or_default();
    if english {
        let when = match days {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            n => format!("in {n} days"),
        };
        (
            "Espace Pro: your password expires soon".into(),
            format!(
                "Your password expires {when} (valid until {date}). Change it from “Manage your login e-mail address / your password”."
            ),
        )
    } else {
        let when = match days {
            0 => "aujourd'hui".to_owned(),
            1 => "demain".to_owned(),
            n => format!("dans {n} jours"),
        };
        (
            "Espace Pro : votre mot de passe expire bientôt".into(),
            format!(
                "Votre mot de passe expire {when} (valable jusqu'au {date}). Changez-le depuis « Gérer votre adresse électronique de connexion / votre mot de passe »."
            ),
        )
    }
}

/// A notification to show: its title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub title: String,
    pub body: String,
}

/// The reminder due for `account` on `service` (its keyring name), if one is, recorded so
/// that each threshold is shown once.
pub fn due(
    data_dir: &Path,
    service: &str,
    account: &AccountView,
    thresholds: &[u32],
    english: bool,
) -> Option<Reminder> {
    let days_left = account.password_expires_in_days?;
    let threshold = reached(days_left, thresholds)?;
    match Ledger::new(data_dir).first_time(&key(service, account), threshold) {
        Ok(true) => {
            let (title, body) = message(account, english);
            Some(Reminder { title, body })
        }
        Ok(false) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the reminders already shown could not be recorded");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_reached() {
        let t = [30, 7, 1];
        assert_eq!(reached(31, &t), None);
        assert_eq!(reached(30, &t), Some(30));
        assert_eq!(reached(8, &t), Some(30));
        assert_eq!(reached(7, &t), Some(7));
        assert_eq!(reached(2, &t), Some(7));
        assert_eq!(reached(1, &t), Some(1));
        assert_eq!(reached(0, &t), Some(1));
        assert_eq!(reached(-1, &t), None);
        assert_eq!(reached(5, &[]), None);
    }

    #[test]
    fn each_threshold_once_per_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(&dir.path().join("data"));
        assert!(ledger.first_time("s|1|2029-11-27", 30).unwrap());
        assert!(!ledger.first_time("s|1|2029-11-27", 30).unwrap());
        assert!(ledger.first_time("s|1|2029-11-27", 7).unwrap());
        // A new password: a new expiry date, reminders again.
        assert!(ledger.first_time("s|1|2032-11-27", 30).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("data/reminders.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
