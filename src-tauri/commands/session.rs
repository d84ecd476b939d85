//! Logging in and out, several accounts, the service's information and the language.

use espace_pro_contract::Secret;
use espace_pro_desk::{AppInfo, CommandResult, Desk, KnownAccount, LoggedIn, Switched};
use tauri::State;

/// What the window knows at once, without asking the service.
#[tauri::command]
pub fn app_info(desk: State<'_, Desk>) -> AppInfo {
    desk.app_info()
}

/// Asks the service for its information; the window calls it in the background at start-up and
/// from the banner's "Réessayer".
#[tauri::command]
pub async fn connect_service(desk: State<'_, Desk>) -> CommandResult<AppInfo> {
    desk.connect_service().await
}

/// The language of the screens ("fr" or "en"): the service's messages follow it.
#[tauri::command]
pub fn set_language(desk: State<'_, Desk>, lang: String) {
    desk.set_language(&lang);
}

#[tauri::command]
pub async fn login(
    desk: State<'_, Desk>,
    email: String,
    password: String,
    captcha_id: Option<String>,
    captcha_answer: Option<String>,
    second_factor_code: Option<String>,
) -> CommandResult<LoggedIn> {
    let captcha = captcha_id.zip(captcha_answer);
    desk.login_with(
        &email,
        Secret::new(password),
        captcha,
        second_factor_code.as_deref(),
    )
    .await
}

/// At start-up: the session of the account last in use, if the service still accepts it.
#[tauri::command]
pub async fn resume_session(desk: State<'_, Desk>) -> CommandResult<bool> {
    desk.resume_session().await
}

/// The log-in screen's list of the accounts used on this computer.
#[tauri::command]
pub async fn known_accounts(desk: State<'_, Desk>) -> CommandResult<Vec<KnownAccount>> {
    Ok(desk.known_accounts().await)
}

/// "Continuer avec ce compte".
#[tauri::command]
pub async fn switch_account(
    desk: State<'_, Desk>,
    subscriber_number: String,
) -> CommandResult<Switched> {
    desk.switch_account(&subscriber_number).await
}

/// "Changer de compte": back to the list, the session in use kept for later.
#[tauri::command]
pub async fn leave_account(desk: State<'_, Desk>) -> CommandResult<()> {
    desk.leave().await;
    Ok(())
}

/// "Oublier ce compte".
#[tauri::command]
pub async fn forget_account(desk: State<'_, Desk>, subscriber_number: String) -> CommandResult<()> {
    desk.forget_account(&subscriber_number).await
}

/// "Quitter": the session in use ended; the printed summary goes too.
#[tauri::command]
pub async fn logout<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<()> {
    desk.logout().await;
    crate::commands::profile::remove_printed(&app);
    Ok(())
}

/// "Tout quitter": every session on this computer ended, on every service.
#[tauri::command]
pub async fn logout_all<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<()> {
    let done = desk.logout_all().await;
    crate::commands::profile::remove_printed(&app);
    done
}

/// The current password again (to see or print the security answer).
#[tauri::command]
pub async fn reauthenticate(
    desk: State<'_, Desk>,
    current_password: String,
    totp_code: Option<String>,
) -> CommandResult<()> {
    desk.reauthenticate_with(Secret::new(current_password), totp_code.as_deref())
        .await
}
