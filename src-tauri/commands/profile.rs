//! "Mes coordonnées", the activity, and the summary saved or printed.

use std::path::PathBuf;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{Activity, Profile, ProfileUpdate};
use espace_pro_desk::{
    AppCode, CommandError, CommandResult, Desk, SUMMARY_FILE_NAME, write_summary,
};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
pub async fn profile(desk: State<'_, Desk>) -> CommandResult<Profile> {
    desk.profile().await
}

#[tauri::command]
pub async fn update_profile(
    desk: State<'_, Desk>,
    phone: String,
    address: String,
    security_question: String,
    security_answer: String,
    current_password: Option<String>,
    totp_code: Option<String>,
) -> CommandResult<Profile> {
    let req = ProfileUpdate {
        phone: Some(phone),
        address: Some(address),
        security_question: Some(security_question),
        security_answer: Some(Secret::new(security_answer)),
        current_password: current_password.filter(|p| !p.is_empty()).map(Secret::new),
        totp_code: totp_code.filter(|c| !c.trim().is_empty()).map(Secret::new),
    };
    desk.update_profile(&req).await
}

#[tauri::command]
pub async fn activity(desk: State<'_, Desk>) -> CommandResult<Activity> {
    desk.activity().await
}

/// Where "Imprimer" puts the summary for the viewer: a private folder of the cache, emptied at
/// "Quitter", when the app exits and when it starts again (after a crash).
pub fn print_dir<R: tauri::Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    app.path().app_cache_dir().ok().map(|d| d.join("print"))
}

pub fn remove_printed<R: tauri::Runtime>(app: &AppHandle<R>) {
    if let Some(dir) = print_dir(app)
        && dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        tracing::warn!(error = %e, "the printed summary could not be removed");
    }
}

/// "Sauvegardez ou imprimez le récapitulatif": saved where the user picks. Returns the path, or
/// nothing if the user cancelled.
#[tauri::command]
pub async fn save_summary<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<Option<String>> {
    let bytes = desk.summary_pdf().await?;
    let Some(path) = super::ask_save_path(&app, ("PDF", &["pdf"]), SUMMARY_FILE_NAME).await else {
        return Ok(None);
    };
    write_summary(path.clone(), bytes).await?;
    Ok(Some(path.display().to_string()))
}

/// The file "Imprimer" writes for the viewer: a name of its own each time (a viewer still
/// showing the last one keeps it); tests: their folder.
fn print_path<R: tauri::Runtime>(app: &AppHandle<R>) -> CommandResult<PathBuf> {
    if let Some(dir) = crate::test_summary_dir() {
        return Ok(dir.join(SUMMARY_FILE_NAME));
    }
    let dir = print_dir(app).ok_or_else(|| CommandError::app(AppCode::Io, "no cache folder"))?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    Ok(dir.join(format!("recapitulatif-{stamp}.pdf")))
}

/// Opens the summary in the system's PDF viewer, which prints it.
#[tauri::command]
pub async fn print_summary<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<String> {
    let bytes = desk.summary_pdf().await?;
    let path = print_path(&app)?;
    write_summary(path.clone(), bytes).await?;
    if crate::test_summary_dir().is_none() {
        app.opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| CommandError::app(AppCode::Open, e))?;
    }
    Ok(path.display().to_string())
}
