use espace_pro_desk::Desk;
use espace_pro_desk::links::Opened;
use tauri::State;

/// The link from an e-mail waiting for the window, given once (`crate::links`).
#[tauri::command]
pub fn take_link(desk: State<'_, Desk>) -> Option<Opened> {
    desk.take_link()
}
