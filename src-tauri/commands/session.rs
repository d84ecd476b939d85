use espace_pro_contract::Secret;
use espace_pro_contract::api::SupportContacts;
use serde::Serialize;
use tauri::State;

use crate::error::CommandResult;
use crate::state::{AppState, DemoInfo};

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub service_url: String,
    /// Present in demo mode (embedded service): the demo addresses and their password.
    pub demo: Option<DemoInfo>,
    /// What the service published, once it has answered (`None`: not yet, or unreachable).
    pub service: Option<espace_pro_contract::api::ServiceInfo>,
    /// The hotline and the online form: the service's, or the ones bundled with the app (the
    /// guide's), so that "Dépannage" has them when the service cannot be reached.
    pub support: SupportContacts,
    /// The rules' numbers the screens show and check: the service's, or the contract's defaults
    /// when it could not be asked.
    pub policy: espace_pro_contract::PasswordPolicy,
    pub limits: espace_pro_contract::api::Limits,
    /// Where the service in use comes from (flag, variable, saved, packaged, demo).
    pub source: crate::settings::Source,
    /// The organisation's service baked in at packaging, if any.
    pub packaged_url: Option<String>,
}

/// How long the window waits for the service's information before it says the service cannot
/// be reached (it keeps working meanwhile).
pub const SERVICE_INFO_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

pub fn app_info_of(state: &AppState) -> AppInfo {
    let service = state.service();
    let connection = state.connection();
    AppInfo {
        source: connection.source,
        packaged_url: crate::settings::packaged(),
        version: env!("CARGO_PKG_VERSION"),
        service_url: state.api().base_url().to_string(),
        demo: state.demo(),
        support: service
            .as_ref()
            .map(|s| s.support.clone())
            .unwrap_or_else(|| SupportContacts::guide(state.is_english())),
        policy: state.policy(),
        limits: service.as_ref().map(|s| s.limits).unwrap_or_default(),
        service,
    }
}

/// What the window knows at once, without asking the service.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    app_info_of(&state)
}

/// Asks the service for its information (at most [`SERVICE_INFO_WAIT`]); the window calls it
/// in the background at start-up and from the banner's "Réessayer".
#[tauri::command]
pub async fn connect_service(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let info = state.api().service_info_within(SERVICE_INFO_WAIT).await?;
    *state.service.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
    Ok(app_info_of(&state))
}

/// The language of the screens ("fr" or "en"): the service's messages follow it
/// (`Accept-Language`). The window calls it at start and on every switch, then
/// `connect_service` for the service's texts in that language.
#[tauri::command]
pub fn set_language(state: State<'_, AppState>, lang: String) {
    state.set_language(&lang);
}

#[derive(Debug, Serialize)]
pub struct LoggedIn {
    pub must_change_password: bool,
}

#[tauri::command]
pub async fn login(
    state: State<'_, AppState>,
    email: String,
    password: String,
    captcha_id: Option<String>,
    captcha_answer: Option<String>,
) -> CommandResult<LoggedIn> {
    let captcha = captcha_id.zip(captcha_answer);
    let response = state
        .api()
        .login(&email, &Secret::new(password), captcha)
        .await?;
    if let Err(e) = state.vault().save(&response.token) {
        // The session still works for this run; it just will not resume after a restart.
        tracing::warn!(error = %e, "session not saved to the keyring");
    }
    *state.session.lock().await = Some(response.token);
    Ok(LoggedIn {
        must_change_password: response.must_change_password,
    })
}

/// At start-up: the session saved in the keyring, if the service still accepts it.
#[tauri::command]
pub async fn resume_session(state: State<'_, AppState>) -> CommandResult<bool> {
    let Some(token) = state.vault().load().ok().flatten() else {
        return Ok(false);
    };
    match state.api().account(&token).await {
        Ok(account) => {
            *state.account.lock().await = Some(account);
            *state.session.lock().await = Some(token);
            Ok(true)
        }
        Err(e)
            if e.is_unauthorized()
                || e.api_code() == Some(espace_pro_contract::ErrorCode::PasswordExpired) =>
        {
            state.forget_session().await;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// "Quitter": the service revokes the token, and the keyring forgets it; the printed summary and
/// the demo mailbox are emptied.
#[tauri::command]
pub async fn logout<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    crate::commands::profile::remove_printed(&app);
    if let Some(token) = state.session.lock().await.clone()
        && let Err(e) = state.api().logout(&token).await
    {
        tracing::info!(error = %e, "log-out not confirmed by the service; forgetting the session anyway");
    }
    state.forget_session().await;
    // "Quitter" also empties the demo mailbox: its codes are no one's business after the session.
    if let Some(demo) = &state.demo()
        && let Err(e) =
            espace_pro_client::mailbox::purge_mailbox(&demo.mailbox, std::time::Duration::ZERO)
    {
        tracing::warn!(error = %e, "the demo mailbox could not be emptied");
    }
    Ok(())
}

/// The current password again (to see or print the security answer after the re-authentication
/// delay).
#[tauri::command]
pub async fn reauthenticate(
    state: State<'_, AppState>,
    current_password: String,
) -> CommandResult<()> {
    let password = Secret::new(current_password);
    state
        .with_session(async |api, token| api.reauthenticate(token, &password).await)
        .await
}
