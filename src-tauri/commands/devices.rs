//! "Appareils connectés" and this computer's name in "Paramètres" (`espace_pro_desk::devices`).

use std::path::PathBuf;

use espace_pro_contract::api::OpenSessions;
use espace_pro_desk::{CommandResult, Desk, write_summary};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt as _;

/// The file name "Télécharger mes données" proposes.
pub const EXPORT_FILE_NAME: &str = "mes-donnees-espace-professionnel.json";

/// Where the data goes: asked with the native dialog (tests: their folder).
async fn ask_export_path<R: tauri::Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if let Some(dir) = crate::test_summary_dir() {
        return Some(dir.join(EXPORT_FILE_NAME));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("JSON", &["json"])
        .set_file_name(EXPORT_FILE_NAME)
        .save_file(move |p| {
            let _ = tx.send(p.and_then(|p| p.into_path().ok()));
        });
    rx.await.ok().flatten()
}

/// "Télécharger mes données": everything the service keeps about the account, saved where the
/// person picks (private, as the summary: it holds the security answer). The path, or nothing
/// if the person cancelled.
#[tauri::command]
pub async fn save_export<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<Option<String>> {
    let bytes = desk.export_json().await?;
    let Some(path) = ask_export_path(&app).await else {
        return Ok(None);
    };
    write_summary(path.clone(), bytes).await?;
    Ok(Some(path.display().to_string()))
}

#[tauri::command]
pub async fn sessions(desk: State<'_, Desk>) -> CommandResult<OpenSessions> {
    desk.sessions().await
}

#[tauri::command]
pub async fn end_session(desk: State<'_, Desk>, id: String) -> CommandResult<()> {
    desk.end_session(&id).await
}

#[tauri::command]
pub async fn end_other_sessions(desk: State<'_, Desk>) -> CommandResult<u64> {
    desk.end_other_sessions().await
}

#[tauri::command]
pub fn device_name(desk: State<'_, Desk>) -> String {
    desk.device_name()
}

#[tauri::command]
pub fn set_device_name(desk: State<'_, Desk>, name: String) -> CommandResult<String> {
    desk.set_device_name(&name)
}
