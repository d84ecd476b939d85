use espace_pro_contract::Secret;
use espace_pro_contract::api::SupportContacts;
use serde::Serialize;
use tauri::State;

use crate::accounts::Known;
use crate::error::{CommandError, CommandResult};
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
    let api = state.api();
    let response = api.login(&email, &Secret::new(password), captcha).await?;
    // Whose session: the service says so; an older one is asked (which fails while the
    // password has expired: the address typed names the account then).
    let subscriber_number = match response.subscriber_number {
        Some(number) => number.to_string(),
        None => match api.account(&response.token).await {
            Ok(account) => account.subscriber_number.to_string(),
            Err(_) => email.trim().to_lowercase(),
        },
    };
    let account = Known {
        subscriber_number,
        login_email: email.trim().to_owned(),
    };
    state.start_session(account, response.token).await;
    Ok(LoggedIn {
        must_change_password: response.must_change_password,
    })
}

/// Takes up `account`'s session from the keyring if the service still accepts it; false when
/// there is none to take up (the log-in form then asks for the password). `None`: the one entry
/// of a version before several accounts, carried over to its account's own entry. An entry the
/// service refuses is deleted; one it could not be asked about is kept for the next try.
async fn take_up(state: &AppState, account: Option<&str>) -> CommandResult<bool> {
    let connection = state.connection();
    let vault = match account {
        Some(number) => connection.vault(number),
        None => connection.legacy_vault(),
    };
    let Some(token) = vault.load().ok().flatten() else {
        return Ok(false);
    };
    let view = match connection.api.account(&token).await {
        Ok(view) => view,
        Err(e)
            if e.is_unauthorized()
                || e.api_code() == Some(espace_pro_contract::ErrorCode::PasswordExpired) =>
        {
            if let Err(e) = vault.delete() {
                tracing::warn!(error = %e, "could not delete the session from the keyring");
            }
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    };
    let known = Known {
        subscriber_number: account
            .map_or_else(|| view.subscriber_number.to_string(), str::to_owned),
        login_email: view.login_email.clone(),
    };
    state.start_session(known, token).await;
    if account.is_none()
        && let Err(e) = vault.delete()
    {
        tracing::warn!(error = %e, "could not delete the former session entry");
    }
    *state.account.lock().await = Some(view);
    Ok(true)
}

/// At start-up: the session of the account last in use, if the service still accepts it.
#[tauri::command]
pub async fn resume_session(state: State<'_, AppState>) -> CommandResult<bool> {
    let current = state.accounts.list(&state.service_key()).1;
    take_up(&state, current.as_deref()).await
}

#[derive(Debug, Serialize)]
pub struct KnownAccount {
    pub subscriber_number: String,
    pub login_email: String,
    /// Its session is the one in use.
    pub current: bool,
    /// A session is kept for it in the keyring (taken up without the password, if the service
    /// still accepts it).
    pub signed_in: bool,
}

/// The log-in screen's list: the accounts used with this service on this computer, most
/// recent first (address and subscriber number; never a password).
#[tauri::command]
pub async fn known_accounts(state: State<'_, AppState>) -> CommandResult<Vec<KnownAccount>> {
    let connection = state.connection();
    let current = state
        .session
        .lock()
        .await
        .as_ref()
        .map(|s| s.account.clone());
    let (list, _) = state.accounts.list(&connection.key);
    Ok(list
        .into_iter()
        .map(|k| KnownAccount {
            current: current.as_deref() == Some(k.subscriber_number.as_str()),
            signed_in: matches!(connection.vault(&k.subscriber_number).load(), Ok(Some(_))),
            subscriber_number: k.subscriber_number,
            login_email: k.login_email,
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct Switched {
    /// Its session was taken up: straight to the home screen.
    pub resumed: bool,
    /// Otherwise, the address to put in the log-in form.
    pub login_email: String,
}

/// "Continuer avec ce compte": the session in use is set aside (kept in the keyring) and the
/// chosen account's is taken up; without one, the log-in form gets its address.
#[tauri::command]
pub async fn switch_account(
    state: State<'_, AppState>,
    subscriber_number: String,
) -> CommandResult<Switched> {
    let Some(known) = state
        .accounts
        .find(&state.service_key(), &subscriber_number)
    else {
        return Err(CommandError::new(
            "unknown_account",
            "Ce compte n'est plus dans la liste de cet ordinateur.",
        ));
    };
    state.leave_session().await;
    let resumed = take_up(&state, Some(&subscriber_number)).await?;
    Ok(Switched {
        resumed,
        login_email: known.login_email,
    })
}

/// "Changer de compte": back to the list, the session in use kept for later.
#[tauri::command]
pub async fn leave_account(state: State<'_, AppState>) -> CommandResult<()> {
    state.leave_session().await;
    Ok(())
}

/// Ends `token`'s session at the service (what it says is only logged: the entry goes anyway).
async fn revoke(state: &AppState, token: &Secret) {
    if let Err(e) = state.api().logout(token).await {
        tracing::info!(error = %e, "log-out not confirmed by the service; forgetting the session anyway");
    }
}

/// What a log-out empties besides the session: the printed summary, and the demo mailbox (its
/// codes are no one's business after the session).
fn tidy_after_logout<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: &AppState) {
    crate::commands::profile::remove_printed(app);
    if let Some(demo) = &state.demo()
        && let Err(e) =
            espace_pro_client::mailbox::purge_mailbox(&demo.mailbox, std::time::Duration::ZERO)
    {
        tracing::warn!(error = %e, "the demo mailbox could not be emptied");
    }
}

/// "Oublier ce compte": its session ended at the service and deleted from the keyring, and the
/// account off the list.
#[tauri::command]
pub async fn forget_account(
    state: State<'_, AppState>,
    subscriber_number: String,
) -> CommandResult<()> {
    let connection = state.connection();
    let in_use = state
        .session
        .lock()
        .await
        .as_ref()
        .is_some_and(|s| s.account == subscriber_number);
    if in_use {
        state.leave_session().await;
    }
    let vault = connection.vault(&subscriber_number);
    if let Some(token) = vault.load().ok().flatten() {
        revoke(&state, &token).await;
    }
    vault.delete()?;
    state
        .accounts
        .forget(&connection.key, &subscriber_number)
        .map_err(|e| {
            CommandError::new(
                "accounts_file",
                format!("La liste des comptes de cet ordinateur n'a pas pu être enregistrée : {e}"),
            )
        })?;
    Ok(())
}

/// "Quitter": the service revokes the token of the account in use, and the keyring forgets it;
/// the other accounts' sessions stay. The printed summary and the demo mailbox are emptied.
#[tauri::command]
pub async fn logout<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    if let Ok(token) = state.token().await {
        revoke(&state, &token).await;
    }
    state.forget_session().await;
    tidy_after_logout(&app, &state);
    Ok(())
}

/// "Tout quitter": every session of this service on this computer ended and forgotten (the
/// accounts stay in the list).
#[tauri::command]
pub async fn logout_all<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let connection = state.connection();
    state.leave_session().await;
    let (list, _) = state.accounts.list(&connection.key);
    let vaults = list
        .iter()
        .map(|k| connection.vault(&k.subscriber_number))
        .chain([connection.legacy_vault()]);
    let mut failed = None;
    for vault in vaults {
        if let Some(token) = vault.load().ok().flatten() {
            revoke(&state, &token).await;
        }
        if let Err(e) = vault.delete() {
            failed = Some(e);
        }
    }
    tidy_after_logout(&app, &state);
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The current password again (to see or print the security answer after the re-authentication
/// delay).
#[tauri::command]
pub async fn reauthenticate(
    state: State<'_, AppState>,
    current_password: String,
) -> CommandResult<()> {
    let password = Secret::new(current_password);
    if state.session.lock().await.is_none()
        && let Some(email) = state.activated_email.lock().await.clone()
    {
        return crate::commands::profile::unlock_activation_summary(&state, &email, &password)
            .await;
    }
    state
        .with_session(async |api, token| api.reauthenticate(token, &password).await)
        .await
}
