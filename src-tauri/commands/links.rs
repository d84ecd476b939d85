use tauri::State;

use crate::links::Opened;
use crate::state::AppState;

/// The link from an e-mail waiting for the window, given once (`crate::links`).
#[tauri::command]
pub fn take_link(state: State<'_, AppState>) -> Option<Opened> {
    state.link.lock().unwrap_or_else(|p| p.into_inner()).take()
}
