//! "Paramètres": the service in use, another one checked then saved, the packaged default, or
//! demo mode chosen explicitly. The choice is kept in `settings.json` (a private file) and takes
//! effect at once; the previous service's keyring entry is left alone.

use espace_pro_client::api::check_service_url;
use espace_pro_contract::api::ServiceInfo;
use tauri::State;

use crate::commands::session::{AppInfo, SERVICE_INFO_WAIT, app_info_of};
use crate::error::{CommandError, CommandResult};
use crate::settings::{self, Choice, Saved, Source};
use crate::state::{AppState, Connection};

/// A URL the app may use (https anywhere, http only to this computer) whose service answers
/// `service-info` within [`SERVICE_INFO_WAIT`].
async fn reach(url: &str) -> CommandResult<(Connection, ServiceInfo)> {
    let url = check_service_url(url)?.to_string();
    let choice = Choice {
        url: Some(url),
        source: Source::Saved,
    };
    let connection = Connection::open(&choice, std::path::Path::new(""))
        .await
        .map_err(|e| CommandError::new("insecure_url", e))?;
    let info = connection
        .api
        .service_info_within(SERVICE_INFO_WAIT)
        .await?;
    Ok((connection, info))
}

fn save(state: &AppState, saved: &Saved) -> CommandResult<()> {
    settings::write_saved(&state.config_dir, saved)
        .map_err(|e| CommandError::new("io", format!("Le choix n'a pas pu être enregistré : {e}")))
}

/// Asks a service for its information without using it: what "Tester" shows.
#[tauri::command]
pub async fn check_service(url: String) -> CommandResult<ServiceInfo> {
    Ok(reach(&url).await?.1)
}

/// Checks the service, saves it and uses it from now on.
#[tauri::command]
pub async fn use_service(state: State<'_, AppState>, url: String) -> CommandResult<AppInfo> {
    let (connection, info) = reach(&url).await?;
    let saved = Saved {
        service_url: Some(connection.api.base_url().to_string()),
        demo: false,
        ..settings::read_saved(&state.config_dir)
    };
    save(&state, &saved)?;
    state.switch(connection, Some(info)).await;
    Ok(app_info_of(&state))
}

/// Forgets the saved choice: the packaged default, or the demo when there is none.
#[tauri::command]
pub async fn use_packaged_service(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    save(
        &state,
        &Saved {
            service_url: None,
            demo: false,
            ..settings::read_saved(&state.config_dir)
        },
    )?;
    let choice = match settings::packaged() {
        Some(url) => Choice {
            url: Some(url),
            source: Source::Packaged,
        },
        None => Choice {
            url: None,
            source: Source::Demo,
        },
    };
    switch_to(&state, &choice).await
}

/// Demo mode, chosen explicitly: the embedded service with its demo accounts.
#[tauri::command]
pub async fn use_demo(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    save(
        &state,
        &Saved {
            service_url: None,
            demo: true,
            ..settings::read_saved(&state.config_dir)
        },
    )?;
    let choice = Choice {
        url: None,
        source: Source::Demo,
    };
    switch_to(&state, &choice).await
}

async fn switch_to(state: &AppState, choice: &Choice) -> CommandResult<AppInfo> {
    let connection = Connection::open(choice, &state.data_dir)
        .await
        .map_err(|e| CommandError::new("unexpected", e))?;
    // The embedded service answers at once; a remote one may not (the window says so).
    let info = connection
        .api
        .service_info_within(SERVICE_INFO_WAIT)
        .await
        .ok();
    state.switch(connection, info).await;
    Ok(app_info_of(state))
}
