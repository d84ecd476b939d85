//! "Activer mon compte": code and CAPTCHA, then the new address.

use espace_pro_contract::Secret;
use espace_pro_contract::api::{ActivationResult, VerifyCodeRequest};
use espace_pro_desk::{CaptchaView, CommandResult, Desk};
use tauri::State;

#[tauri::command]
pub async fn new_captcha(desk: State<'_, Desk>) -> CommandResult<CaptchaView> {
    desk.new_captcha().await
}

/// Step 1: code and CAPTCHA. The ticket it earns stays in Rust.
#[tauri::command]
pub async fn verify_activation_code(
    desk: State<'_, Desk>,
    code: String,
    captcha_id: String,
    captcha_answer: String,
) -> CommandResult<()> {
    let req = VerifyCodeRequest {
        code: Secret::new(code),
        captcha_id,
        captcha_answer,
    };
    desk.verify_activation_code(&req).await
}

/// Step 2: the new address.
#[tauri::command]
pub async fn complete_activation(
    desk: State<'_, Desk>,
    email: String,
) -> CommandResult<ActivationResult> {
    desk.complete_activation(email).await
}
