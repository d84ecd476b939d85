//! Expiry reminders as desktop notifications: which one is due is `espace_pro_desk`'s rule
//! (`reminders::due`); showing it is the window's.

use espace_pro_desk::Desk;
use espace_pro_desk::reminders::Reminder;
use tauri::Manager as _;

/// Shows `reminder`, if there is one.
pub fn notify<R: tauri::Runtime>(app: &tauri::AppHandle<R>, reminder: Option<Reminder>) {
    use tauri_plugin_notification::NotificationExt as _;
    let Some(Reminder { title, body }) = reminder else {
        return;
    };
    // Not registered under the IPC tests' mock runtime.
    if app
        .try_state::<tauri_plugin_notification::Notification<R>>()
        .is_none()
    {
        return;
    }
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "the expiry reminder could not be shown");
    }
}

/// Once a day while the app runs: the session's account asked again, its reminder shown if due.
pub async fn daily<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    loop {
        tokio::time::sleep(DAY).await;
        let reminder = app.state::<Desk>().daily_reminder().await;
        notify(&app, reminder);
    }
}
