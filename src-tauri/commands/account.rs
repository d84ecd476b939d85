//! The home screen, the meter, the password and e-mail changes.

use espace_pro_client::strength::Strength;
use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    AccountView, EmailChangeRequest, EmailChangeResponse, PasswordChangeRequest,
    PasswordChangeResponse,
};
use espace_pro_desk::{CommandResult, Desk};
use tauri::{Manager as _, State};

fn optional(s: Option<String>) -> Option<Secret> {
    s.filter(|v| !v.is_empty()).map(Secret::new)
}

/// The home screen's account; shows the expiry reminder when one is due.
#[tauri::command]
pub async fn home<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<AccountView> {
    let (account, reminder) = desk.home().await?;
    crate::reminders::notify(&app, reminder);
    // A log-in from a new device the account's activity holds: told once, in the background.
    let app2 = app.clone();
    tauri::async_runtime::spawn(async move {
        let notice = app2.state::<Desk>().new_device_notice().await;
        crate::reminders::notify(&app2, notice);
    });
    Ok(account)
}

/// The live meter, on every keystroke.
#[tauri::command]
pub fn password_strength(
    desk: State<'_, Desk>,
    password: String,
    email: Option<String>,
) -> Strength {
    desk.password_strength(&password, email.as_deref())
}

#[tauri::command]
pub async fn change_password(
    desk: State<'_, Desk>,
    new_password: String,
    confirm_password: String,
    current_password: Option<String>,
    totp_code: Option<String>,
) -> CommandResult<PasswordChangeResponse> {
    let req = PasswordChangeRequest {
        new_password: Secret::new(new_password),
        confirm_password: Secret::new(confirm_password),
        current_password: optional(current_password),
        totp_code: optional(totp_code),
    };
    desk.change_password(&req).await
}

#[tauri::command]
pub async fn request_email_change(
    desk: State<'_, Desk>,
    new_email: String,
    confirm_email: String,
    new_password: Option<String>,
    confirm_password: Option<String>,
    current_password: Option<String>,
    totp_code: Option<String>,
) -> CommandResult<EmailChangeResponse> {
    let req = EmailChangeRequest {
        new_email,
        confirm_email,
        new_password: optional(new_password),
        confirm_password: optional(confirm_password),
        current_password: optional(current_password),
        totp_code: optional(totp_code),
    };
    desk.request_email_change(&req).await
}

#[tauri::command]
pub async fn cancel_email_change(desk: State<'_, Desk>) -> CommandResult<()> {
    desk.cancel_email_change().await
}
