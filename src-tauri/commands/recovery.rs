//! "Mot de passe oublié": the request, the question, the new password.

use espace_pro_contract::Secret;
use espace_pro_contract::api::{PasswordChangeResponse, RecoveryAccepted};
use espace_pro_desk::{CommandResult, Desk};
use tauri::State;

#[tauri::command]
pub async fn recovery_request(
    desk: State<'_, Desk>,
    email: String,
) -> CommandResult<RecoveryAccepted> {
    desk.recovery_request(&email).await
}

/// Address and code give the security question; the ticket stays in Rust.
#[tauri::command]
pub async fn recovery_question(
    desk: State<'_, Desk>,
    email: String,
    code: String,
) -> CommandResult<String> {
    desk.recovery_question(&email, Secret::new(code)).await
}

#[tauri::command]
pub async fn recovery_complete(
    desk: State<'_, Desk>,
    security_answer: String,
    new_password: String,
    confirm_password: String,
) -> CommandResult<PasswordChangeResponse> {
    let (answer, new, confirm) = (security_answer, new_password, confirm_password);
    desk.recovery_complete(Secret::new(answer), Secret::new(new), Secret::new(confirm))
        .await
}
