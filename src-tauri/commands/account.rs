use espace_pro_client::strength::{Strength, estimate};
use espace_pro_contract::api::{
    AccountView, EmailChangeRequest, EmailChangeResponse, PasswordChangeRequest,
    PasswordChangeResponse,
};
use espace_pro_contract::{LoginEmail, PasswordContext, Secret};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

fn optional(s: Option<String>) -> Option<Secret> {
    s.filter(|v| !v.is_empty()).map(Secret::new)
}

/// The home screen's account; shows the expiry reminder when one is due.
#[tauri::command]
pub async fn home<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<AccountView> {
    let account = state
        .with_session(async |api, token| api.account(token).await)
        .await?;
    crate::reminders::check(&app, &state, &account);
    // After a change of address, the list shows the new one.
    state.accounts.rename(
        &state.service_key(),
        &account.subscriber_number.to_string(),
        &account.login_email,
    );
    *state.account.lock().await = Some(account.clone());
    Ok(account)
}

/// The live meter: run on every keystroke, bounded in time by the client library.
#[tauri::command]
pub async fn password_strength(
    state: State<'_, AppState>,
    password: String,
    email: Option<String>,
) -> CommandResult<Strength> {
    let mut context = match state.account.lock().await.as_ref() {
        Some(a) => PasswordContext::for_account(
            &a.first_name,
            &a.last_name,
            &a.login_email,
            &a.subscriber_number.to_string(),
        ),
        None => state
            .recovery_context
            .lock()
            .await
            .clone()
            .unwrap_or_default(),
    };
    if let Some(Ok(e)) = email.as_deref().map(LoginEmail::parse) {
        context = context.with_email(&e);
    }
    Ok(estimate(&password, &context, &state.policy()))
}

#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    new_password: String,
    confirm_password: String,
    current_password: Option<String>,
) -> CommandResult<PasswordChangeResponse> {
    let req = PasswordChangeRequest {
        new_password: Secret::new(new_password),
        confirm_password: Secret::new(confirm_password),
        current_password: optional(current_password),
    };
    state
        .with_session(async |api, token| api.change_password(token, &req).await)
        .await
}

#[tauri::command]
pub async fn request_email_change(
    state: State<'_, AppState>,
    new_email: String,
    confirm_email: String,
    new_password: Option<String>,
    confirm_password: Option<String>,
    current_password: Option<String>,
) -> CommandResult<EmailChangeResponse> {
    let req = EmailChangeRequest {
        new_email,
        confirm_email,
        new_password: optional(new_password),
        confirm_password: optional(confirm_password),
        current_password: optional(current_password),
    };
    state
        .with_session(async |api, token| api.request_email_change(token, &req).await)
        .await
}

#[tauri::command]
pub async fn cancel_email_change(state: State<'_, AppState>) -> CommandResult<()> {
    state
        .with_session(async |api, token| api.cancel_email_change(token).await)
        .await
}
