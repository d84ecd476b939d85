use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    ActivationResult, Captcha, CompleteActivationRequest, VerifyCodeRequest,
};
use serde::Serialize;
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct CaptchaView {
    pub id: String,
    /// `data:` URLs, allowed by the CSP for images and media only.
    pub image: String,
    pub audio: String,
    pub length: usize,
}

#[tauri::command]
pub async fn new_captcha(state: State<'_, AppState>) -> CommandResult<CaptchaView> {
    let Captcha {
        id,
        image_png,
        audio_wav,
        length,
        ..
    } = state.api().captcha().await?;
    Ok(CaptchaView {
        id,
        image: format!("data:image/png;base64,{image_png}"),
        audio: format!("data:audio/wav;base64,{audio_wav}"),
        length,
    })
}

/// Step 1: code and CAPTCHA. The ticket it earns stays in Rust.
#[tauri::command]
pub async fn verify_activation_code(
    state: State<'_, AppState>,
    code: String,
    captcha_id: String,
    captcha_answer: String,
) -> CommandResult<()> {
    let ticket = state
        .api()
        .verify_code(&VerifyCodeRequest {
            code: Secret::new(code),
            captcha_id,
            captcha_answer,
        })
        .await?;
    *state.ticket.lock().await = Some(ticket.ticket);
    Ok(())
}

/// Step 2: the new address. Every session ends on the service side, so this one is forgotten.
#[tauri::command]
pub async fn complete_activation(
    state: State<'_, AppState>,
    email: String,
) -> CommandResult<ActivationResult> {
    let ticket = state.ticket.lock().await.clone().ok_or_else(|| {
        crate::error::CommandError::new(
            "no_ticket",
            "Votre saisie a expiré. Saisissez de nouveau le code reçu par courriel.",
        )
    })?;
    let result = state
        .api()
        .complete_activation(&CompleteActivationRequest { ticket, email })
        .await?;
    *state.ticket.lock().await = None;
    // The summary holds the security answer: the service gives it only for the password
    // ("Sauvegardez ou imprimez le récapitulatif" asks for it, SPEC §2.8).
    *state.last_summary.lock().await = None;
    *state.activated_email.lock().await = Some(result.login_email.clone());
    state.forget_session().await;
    Ok(result)
}
