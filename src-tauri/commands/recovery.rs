use espace_pro_contract::api::{PasswordChangeResponse, RecoveryAccepted, RecoveryCompleteRequest};
use espace_pro_contract::{PasswordContext, Secret};
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn recovery_request(
    state: State<'_, AppState>,
    email: String,
) -> CommandResult<RecoveryAccepted> {
    Ok(state.api().recovery_request(&email).await?)
}

/// Address and code give the security question; the ticket stays in Rust.
#[tauri::command]
pub async fn recovery_question(
    state: State<'_, AppState>,
    email: String,
    code: String,
) -> CommandResult<String> {
    let response = state
        .api()
        .recovery_question(&email, &Secret::new(code))
        .await?;
    *state.ticket.lock().await = Some(response.ticket);
    *state.recovery_context.lock().await =
        Some(PasswordContext::from_words(response.password_context));
    Ok(response.security_question.unwrap_or_default())
}

#[tauri::command]
pub async fn recovery_complete(
    state: State<'_, AppState>,
    security_answer: String,
    new_password: String,
    confirm_password: String,
) -> CommandResult<PasswordChangeResponse> {
    let ticket = state.ticket.lock().await.clone().ok_or_else(|| {
        CommandError::new(
            "no_ticket",
            "Votre saisie a expiré. Recommencez la procédure « Mot de passe oublié ».",
        )
    })?;
    let done = state
        .api()
        .recovery_complete(&RecoveryCompleteRequest {
            ticket,
            security_answer: Secret::new(security_answer),
            new_password: Secret::new(new_password),
            confirm_password: Secret::new(confirm_password),
        })
        .await?;
    *state.ticket.lock().await = None;
    *state.recovery_context.lock().await = None;
    state.forget_session().await;
    Ok(done)
}
