//! Links from the e-mails, forwarded by a second start of the app (tauri-plugin-single-instance)
//! or by the system (deep-link events): kept for the window (`take_link`), which is told and
//! brought to the front. Reading them is `espace_pro_desk::links`.

use espace_pro_desk::Desk;
use espace_pro_desk::links::from_args;
use tauri::{Emitter as _, Manager as _};

/// A second start of the app with a link: kept for the window, which is told and brought to the
/// front.
pub fn forwarded<R: tauri::Runtime>(app: &tauri::AppHandle<R>, args: &[String]) {
    let Some(opened) = from_args(args) else {
        // Started again without a link: show the window that is already there.
        focus(app);
        return;
    };
    if let Some(desk) = app.try_state::<Desk>() {
        desk.set_link(Some(opened));
    }
    let _ = app.emit("espace-pro-link", ());
    focus(app);
}

fn focus<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
