//! Signed updates (`tauri-plugin-updater`): the update manifest is asked at start (unless turned
//! off in "Paramètres"), "Mise à jour disponible" shows the new version and its notes, and the
//! package is downloaded, checked against the project's public key (in `tauri.conf.json`) and
//! installed only when the person asks. A package whose signature does not match is never
//! installed.
//!
//! Where the manifest is: `ESPACE_PRO_UPDATE_URL` (an organisation's mirror), else the one the
//! organisation's installer carries (`organisation.json`), else `tauri.conf.json`'s endpoint. All
//! must be https: the plugin refuses anything else in release builds. The key is the
//! organisation's when its installer carries one, else the project's.

use serde::Serialize;
use tauri_plugin_updater::{Update, UpdaterExt};

use espace_pro_desk::{AppCode, CommandError, CommandResult};

/// An organisation's own update manifest, instead of the project's.
pub const UPDATE_URL_VARIABLE: &str = "ESPACE_PRO_UPDATE_URL";

/// What "Mise à jour disponible" shows.
#[derive(Debug, Clone, Serialize)]
pub struct Available {
    pub version: String,
    pub current_version: String,
    pub notes: Option<String>,
}

/// The update found by the last check, until it is installed.
#[derive(Default)]
pub struct Pending(pub std::sync::Mutex<Option<Update>>);

/// What went wrong, in the person's terms: a package that fails its signature check is said
/// so, apart from a manifest that cannot be read and an installation that failed.
pub fn error(e: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error as E;
    tracing::warn!(error = %e, "update");
    if let Some(why) = espace_pro_client::error::untrusted_certificate(&e) {
        return CommandError::app(AppCode::UpdateUntrusted, why);
    }
    match &e {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => CommandError::app(AppCode::UpdateSignature, &e),
        E::InsecureTransportProtocol | E::UrlParse(_) => CommandError::app(AppCode::UpdateUrl, &e),
        E::AuthenticationFailed
        | E::DebInstallFailed
        | E::PackageInstallFailed
        | E::InvalidUpdaterFormat => installation_failed(),
        _ => CommandError::app(AppCode::UpdateUnreachable, &e),
    }
}

fn installation_failed() -> CommandError {
    CommandError::app(AppCode::UpdateInstall, "the package manager failed")
}

fn updater<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
) -> Result<tauri_plugin_updater::Updater, tauri_plugin_updater::Error> {
    let organisation = espace_pro_desk::settings::organisation();
    let mut builder = app
        .updater_builder()
        .timeout(std::time::Duration::from_secs(60));
    if let Some(key) = &organisation.update_pubkey {
        builder = builder.pubkey(key);
    }
    let url = std::env::var(UPDATE_URL_VARIABLE)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| organisation.update_url.clone());
    if let Some(url) = url {
        builder = builder.endpoints(vec![url.trim().parse()?])?;
    }
    builder.build()
}

/// Asks the manifest; a newer version is kept for [`install`].
pub async fn check<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    pending: &Pending,
) -> CommandResult<Option<Available>> {
    let found = updater(app).map_err(error)?.check().await.map_err(error)?;
    let available = found.as_ref().map(|u| Available {
        version: u.version.clone(),
        current_version: u.current_version.clone(),
        notes: u.body.clone().filter(|n| !n.trim().is_empty()),
    });
    *pending.0.lock().unwrap_or_else(|p| p.into_inner()) = found;
    Ok(available)
}

/// Downloads the update found, checks its signature, installs it (with the system's package
/// manager on Linux, which asks for an administrator's password).
pub async fn install(pending: &Pending) -> CommandResult<String> {
    let taken = pending.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    let Some(update) = taken else {
        return Err(CommandError::app(
            AppCode::NoUpdate,
            "no update found by the last check",
        ));
    };
    let bytes = update.download(|_, _| {}, || {}).await.map_err(error)?;
    let version = update.version.clone();
    // Installing runs the package manager: off the async threads. Whatever fails there (no
    // pkexec nor sudo, a password refused, dpkg) is an installation failure, except the
    // signature, checked again first.
    tokio::task::spawn_blocking(move || update.install(bytes))
        .await
        .map_err(|_| installation_failed())?
        .map_err(|e| match error(e) {
            signature if signature.is(AppCode::UpdateSignature) => signature,
            _ => installation_failed(),
        })?;
    Ok(version)
}
