//! This computer as the service's list of sessions shows it (SPEC §4): a device id per account,
//! random, kept in the keyring beside the account's session (never shown, never in a file), and
//! a name the person may change in "Paramètres"; the list of the account's open sessions, and
//! ending one or all the others ("Appareils connectés").

use espace_pro_contract::Secret;
use espace_pro_contract::api::{DEVICE_NAME_MAX_CHARS, OpenSessions};

use std::sync::atomic::Ordering;

use espace_pro_contract::TimeZone;
use espace_pro_contract::api::ActivityEvent;

use crate::connection::Connection;
use crate::desk::{Desk, blocking};
use crate::error::{AppCode, CommandError, CommandResult};
use crate::keyring;
use crate::reminders::{Ledger, Reminder};
use crate::settings::{self, Saved};

/// "Espace Pro 0.2 — Linux — poste-14": the app, the system and the computer's name.
pub fn default_device_name() -> String {
    let system = match std::env::consts::OS {
        "linux" => "Linux",
        "windows" => "Windows",
        "macos" => "macOS",
        other => other,
    };
    let version = env!("CARGO_PKG_VERSION")
        .rsplit_once('.')
        .map_or(env!("CARGO_PKG_VERSION"), |(major_minor, _)| major_minor);
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    let bare = format!("Espace Pro {version} — {system}");
    // A host name the service would refuse (a character it does not take) is left out.
    host.map(|host| format!("{bare} — {host}"))
        .map(|name| name.chars().take(DEVICE_NAME_MAX_CHARS).collect::<String>())
        .filter(|name| acceptable_name(name))
        .unwrap_or(bare)
}

/// A name the service takes: one line of at most [`DEVICE_NAME_MAX_CHARS`] characters, without
/// the invisible characters that reorder or hide text.
pub fn acceptable_name(name: &str) -> bool {
    !name.trim().is_empty() && espace_pro_contract::api::device_name_acceptable(name)
}

/// A new device id: 128 random bits, in hexadecimal.
fn new_device_id() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The device of a log-in: its id, its name, and whether its id is still to be kept.
pub(crate) struct LoginDevice {
    pub id: String,
    pub name: String,
    pub unsaved: bool,
}

impl Desk {
    /// The name this computer gives itself in the account's list of sessions.
    pub fn device_name(&self) -> String {
        settings::read_saved(&self.config_dir)
            .device_name
            .filter(|n| acceptable_name(n))
            .unwrap_or_else(default_device_name)
    }

    /// "Paramètres": another name for this computer, used from the next log-in on; empty gives
    /// back the default.
    pub fn set_device_name(&self, name: &str) -> CommandResult<String> {
        let name = name.trim();
        if !name.is_empty() && !acceptable_name(name) {
            return Err(CommandError::app(
                AppCode::DeviceName,
                "a device name of one line, at most 100 characters",
            ));
        }
        let chosen = (!name.is_empty() && name != default_device_name()).then(|| name.to_owned());
        let saved = settings::read_saved(&self.config_dir);
        settings::write_saved(
            &self.config_dir,
            &Saved {
                device_name: chosen,
                ..saved
            },
        )
        .map_err(|e| CommandError::app(AppCode::Io, e))?;
        Ok(self.device_name())
    }

    /// The device id kept for the account whose address is `email` on this service, or a new
    /// one (kept by [`Desk::keep_device`] once the log-in says whose account it is).
    pub(crate) async fn device_for(&self, connection: &Connection, email: &str) -> LoginDevice {
        let key = connection.key.clone();
        let typed = email.trim().to_lowercase();
        let known = self
            .accounts_do(move |a| {
                a.list(&key)
                    .0
                    .into_iter()
                    .find(|k| k.login_email.trim().to_lowercase() == typed)
            })
            .await;
        let kept = match known {
            Some(k) => {
                let entry = keyring::device_entry(&connection.key, &k.subscriber_number);
                self.keyring_load(entry)
                    .await
                    .map(|s| s.expose().to_owned())
                    .filter(|id| espace_pro_contract::api::device_id_acceptable(id))
            }
            None => None,
        };
        LoginDevice {
            unsaved: kept.is_none(),
            id: kept.unwrap_or_else(new_device_id),
            name: self.device_name(),
        }
    }

    /// Keeps a new device id under the account's entry (a keyring that refuses only means the
    /// next log-in is told to the person as a new device again).
    pub(crate) async fn keep_device(
        &self,
        connection: &Connection,
        account: &str,
        device: &LoginDevice,
    ) {
        if device.unsaved {
            let entry = keyring::device_entry(&connection.key, account);
            self.keyring_save(entry, Secret::new(device.id.clone()))
                .await;
        }
    }

    /// A desktop notification for the log-ins from a new device that the account's activity
    /// holds and this computer has not shown yet (SPEC §4), checked once per session. The first
    /// time an account is used here, what its activity holds already is taken as seen; this
    /// computer's own first log-in is never announced to itself.
    pub async fn new_device_notice(&self) -> Option<Reminder> {
        let (connection, session) = self.session().ok()?;
        if self.notice_checked.swap(session.serial, Ordering::Relaxed) == session.serial {
            return None;
        }
        let activity = self
            .with_session(async |api, token| api.activity(token).await)
            .await
            .ok()?;
        let own = self
            .sessions()
            .await
            .ok()?
            .sessions
            .into_iter()
            .find(|s| s.current)?;
        let at = |e: &ActivityEvent| u32::try_from(e.at.unix_timestamp()).unwrap_or(0);
        let events: Vec<&ActivityEvent> = activity
            .events
            .iter()
            .filter(|e| e.kind == "new_device")
            .filter(|e| !(e.at == own.created_at && e.device_name == own.device_name))
            .collect();
        let key = format!("new-device|{}|{}", connection.key, session.account);
        let data_dir = self.data_dir.clone();
        let times: Vec<u32> = events.iter().map(|e| at(e)).collect();
        let (key2, data_dir2) = (key.clone(), data_dir.clone());
        let seen = blocking(move || Ledger::new(&data_dir2).recorded(&key2)).await;
        let unseen: Vec<&&ActivityEvent> = match &seen {
            None => Vec::new(),
            Some(seen) => events.iter().filter(|e| !seen.contains(&at(e))).collect(),
        };
        let mut all = seen.unwrap_or_default();
        all.extend(times);
        all.sort_unstable();
        all.dedup();
        // The activity shows the latest 50 events: older times need not be kept.
        let keep_from = all.len().saturating_sub(200);
        let all = all.split_off(keep_from);
        if let Err(e) = blocking(move || Ledger::new(&data_dir).record(&key, all)).await {
            tracing::warn!(error = %e, "the new-device log-ins shown could not be recorded");
        }
        let newest = unseen.first()?;
        Some(new_device_message(
            newest,
            unseen.len(),
            &self.time_zone(),
            self.is_english(),
        ))
    }

    /// "Télécharger mes données": everything the service keeps about the account, as indented
    /// JSON (it holds the security answer: written private, as the summary).
    pub async fn export_json(&self) -> CommandResult<Vec<u8>> {
        let export = self
            .with_session(async |api, token| api.export(token).await)
            .await?;
        serde_json::to_vec_pretty(&export).map_err(|e| CommandError::app(AppCode::Unexpected, e))
    }

    /// "Appareils connectés": the account's open sessions, this one marked.
    pub async fn sessions(&self) -> CommandResult<OpenSessions> {
        self.with_session(async |api, token| api.sessions(token).await)
            .await
    }

    /// "Déconnecter": ends one session of the account (never this one: "Quitter" does that).
    pub async fn end_session(&self, id: &str) -> CommandResult<()> {
        let listed = self.sessions().await?;
        if listed.sessions.iter().any(|s| s.id == id && s.current) {
            return Err(CommandError::app(
                AppCode::CurrentSession,
                "this computer's session ends with \"Quitter\"",
            ));
        }
        self.with_session(async |api, token| api.end_session(token, id).await)
            .await
    }

    /// "Déconnecter les autres appareils": how many sessions ended.
    pub async fn end_other_sessions(&self) -> CommandResult<u64> {
        self.with_session(async |api, token| api.end_other_sessions(token).await)
            .await
            .map(|ended| ended.ended)
    }
}

/// The notification for `event` (the newest of `count` unseen), in the screens' language.
pub fn new_device_message(
    event: &ActivityEvent,
    count: usize,
    zone: &TimeZone,
    english: bool,
) -> Reminder {
    let local = zone.local(event.at);
    let when = format!(
        "{} {:02}:{:02}",
        espace_pro_server::dates::short_french(local.date()),
        local.hour(),
        local.minute()
    );
    let ip = event.client_ip.as_deref().unwrap_or("?");
    let others = count.saturating_sub(1);
    if english {
        let device = event.device_name.as_deref().unwrap_or("an unnamed device");
        let more = match others {
            0 => String::new(),
            n => format!(" ({n} more before)"),
        };
        Reminder {
            title: "New log-in to your account".into(),
            body: format!(
                "Your account was opened on {when} from \"{device}\" ({ip}){more}. If it was not you, open \"Connected devices\" and change your password."
            ),
        }
    } else {
        let device = event
            .device_name
            .as_deref()
            .unwrap_or("un appareil sans nom");
        let more = match others {
            0 => String::new(),
            n => format!(" ({n} autre(s) avant)"),
        };
        Reminder {
            title: "Nouvelle connexion à votre espace".into(),
            body: format!(
                "Votre espace a été ouvert le {when} depuis « {device} » ({ip}){more}. Si ce n'était pas vous, ouvrez « Appareils connectés » et changez votre mot de passe."
            ),
        }
    }
}
