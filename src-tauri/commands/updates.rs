//! "Mise à jour disponible": the check (at start unless turned off, or from "Paramètres"), the
//! installation on request, the restart into the new version; and the setting itself.

use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::settings;
use crate::state::AppState;
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
pub fn update_check_enabled(state: State<'_, AppState>) -> bool {
    !settings::read_saved(&state.config_dir).no_update_check
}

#[tauri::command]
pub fn set_update_check(state: State<'_, AppState>, enabled: bool) -> CommandResult<()> {
    let saved = settings::Saved {
        no_update_check: !enabled,
        ..settings::read_saved(&state.config_dir)
    };
    settings::write_saved(&state.config_dir, &saved)
        .map_err(|e| CommandError::new("io", format!("Le choix n'a pas pu être enregistré : {e}")))
}
