//! "Mise à jour disponible": the check (at start unless turned off, or from "Paramètres"), the
//! installation on request, the restart into the new version; and the setting itself.

use espace_pro_desk::{CommandResult, Desk};
use tauri::State;

use crate::updates::{self, Available, Pending};

#[tauri::command]
pub async fn check_update<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    pending: State<'_, Pending>,
) -> CommandResult<Option<Available>> {
    updates::check(&app, &pending).await
}

/// Installs the update the last check found; returns its version.
#[tauri::command]
pub async fn install_update(pending: State<'_, Pending>) -> CommandResult<String> {
    updates::install(&pending).await
}

/// Into the version just installed.
#[tauri::command]
pub fn restart_app<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    app.restart();
}

/// Whether the window asks for updates at start ("Paramètres").
#[tauri::command]
pub fn update_check_enabled(desk: State<'_, Desk>) -> bool {
    desk.update_check_enabled()
}

#[tauri::command]
pub fn set_update_check(desk: State<'_, Desk>, enabled: bool) -> CommandResult<()> {
    desk.set_update_check(enabled)
}
