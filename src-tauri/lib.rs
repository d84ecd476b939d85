//! Espace Pro desktop app: the Tauri shell. Screens live in `ui/`; the logic lives in crates that
//! know nothing of Tauri (`espace-pro-client`, and the service for the embedded default).

mod commands;
mod embedded;
pub mod error;
pub mod settings;
pub mod state;

use espace_pro_client::{ApiClient, SessionVault, vault::KEYRING_SERVICE};
use tauri::Manager;
use tokio::sync::Mutex;

use crate::state::AppState;

/// Registers every command, once.
#[macro_export]
macro_rules! handlers {
    () => {
        tauri::generate_handler![
            $crate::commands::session::app_info,
            $crate::commands::session::login,
            $crate::commands::session::resume_session,
            $crate::commands::session::logout,
            $crate::commands::account::home,
            $crate::commands::account::password_strength,
            $crate::commands::account::change_password,
            $crate::commands::account::request_email_change,
            $crate::commands::account::cancel_email_change,
            $crate::commands::activation::new_captcha,
            $crate::commands::activation::verify_activation_code,
            $crate::commands::activation::complete_activation,
            $crate::commands::profile::profile,
            $crate::commands::profile::update_profile,
            $crate::commands::profile::activity,
            $crate::commands::profile::save_summary,
            $crate::commands::profile::print_summary,
            $crate::commands::recovery::recovery_request,
            $crate::commands::recovery::recovery_question,
            $crate::commands::recovery::recovery_complete,
            $crate::commands::demo::demo_mailbox,
        ]
    };
}

/// Builds the state: the configured service, or the embedded one (demo mode).
pub async fn build_state(
    service_url: Option<String>,
    data_dir: &std::path::Path,
) -> Result<AppState, String> {
    let (url, embedded, demo) = match service_url {
        Some(url) => (url, None, None),
        None => {
            let (app, demo) = embedded::start(data_dir).await?;
            (format!("http://{}", app.addr()), Some(app), Some(demo))
        }
    };
    let api = ApiClient::new(&url).map_err(|e| e.to_string())?;
    let service = api.service_info().await.ok();
    let policy = service
        .as_ref()
        .map(|i| i.password_policy)
        .unwrap_or_default();
    Ok(AppState {
        // The keyring entry is per service URL, except for the embedded service whose port
        // changes at every start: it keeps one entry.
        vault: SessionVault::new(KEYRING_SERVICE, if demo.is_some() { "demo" } else { &url }),
        api,
        policy,
        service,
        demo,
        summary_dir: std::env::var_os("ESPACE_PRO_SUMMARY_DIR").map(Into::into),
        session: Mutex::new(None),
        account: Mutex::new(None),
        ticket: Mutex::new(None),
        last_summary: Mutex::new(None),
        embedded,
    })
}

pub fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let config_dir = app.path().app_config_dir()?;
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            let url = settings::service_url(&args, &config_dir);
            let state = tauri::async_runtime::block_on(build_state(url, &data_dir))?;
            app.manage(state);
            Ok(())
        })
        .invoke_handler(handlers!())
        .run(tauri::generate_context!())
        .expect("Espace Pro could not start its window");
}
