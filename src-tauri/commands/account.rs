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

#[tauri::command]
pub async fn home(state: State<'_, AppState>) -> CommandResult<AccountView> {
    let token = state.token().await?;
    let account = match state.api.account(&token).await {
        Ok(a) => a,
        Err(e) => return Err(state.fail(e).await),
    };
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
    let mut context = PasswordContext::new();
    if let Some(a) = state.account.lock().await.as_ref() {
        context = context
            .with(&a.first_name)
            .with(&a.last_name)
            .with(a.subscriber_number.to_string())
            .with_email(
                &LoginEmail::parse(&a.login_email)
                    .unwrap_or_else(|_| LoginEmail::parse("x@x.invalid").expect("valid")),
            );
    }
    if let Some(Ok(e)) = email.as_deref().map(LoginEmail::parse) {
        context = context.with_email(&e);
    }
    Ok(estimate(&password, &context, &state.policy))
}

#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    new_password: String,
    confirm_password: String,
    current_password: Option<String>,
) -> CommandResult<PasswordChangeResponse> {
    let token = state.token().await?;
    let req = PasswordChangeRequest {
        new_password: Secret::new(new_password),
        confirm_password: Secret::new(confirm_password),
        current_password: optional(current_password),
    };
    match state.api.change_password(&token, &req).await {
        Ok(r) => Ok(r),
        Err(e) => Err(state.fail(e).await),
    }
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
    let token = state.token().await?;
    let req = EmailChangeRequest {
        new_email,
        confirm_email,
        new_password: optional(new_password),
        confirm_password: optional(confirm_password),
        current_password: optional(current_password),
    };
    match state.api.request_email_change(&token, &req).await {
        Ok(r) => Ok(r),
        Err(e) => Err(state.fail(e).await),
    }
}

#[tauri::command]
pub async fn cancel_email_change(state: State<'_, AppState>) -> CommandResult<()> {
    let token = state.token().await?;
    match state.api.cancel_email_change(&token).await {
        Ok(()) => Ok(()),
        Err(e) => Err(state.fail(e).await),
    }
}
