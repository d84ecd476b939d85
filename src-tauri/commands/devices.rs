//! "Appareils connectés" and this computer's name in "Paramètres" (`espace_pro_desk::devices`).

use espace_pro_contract::api::OpenSessions;
use espace_pro_desk::{CommandResult, Desk, write_summary};
use tauri::{AppHandle, State};

/// The file name "Télécharger mes données" proposes.
pub const EXPORT_FILE_NAME: &str = "mes-donnees-espace-professionnel.json";

/// "Télécharger mes données": everything the service keeps about the account, saved where the
/// person picks (private, as the summary: it holds the security answer). The path, or nothing
/// if the person cancelled.
#[tauri::command]
pub async fn save_export<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<Option<String>> {
    let bytes = desk.export_json().await?;
    let Some(path) = super::ask_save_path(&app, ("JSON", &["json"]), EXPORT_FILE_NAME).await else {
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
