//! "Paramètres": the service in use, another one checked then saved, the packaged default, or
//! demo mode chosen explicitly (`espace_pro_desk`'s rules).

use espace_pro_contract::api::ServiceInfo;
use espace_pro_desk::{AppInfo, CommandResult, Desk};
use tauri::State;

/// Asks a service for its information without using it: what "Tester" shows.
#[tauri::command]
pub async fn check_service(url: String) -> CommandResult<ServiceInfo> {
    espace_pro_desk::check_service(&url).await
}

/// Checks the service, saves it and uses it from now on.
#[tauri::command]
pub async fn use_service(desk: State<'_, Desk>, url: String) -> CommandResult<AppInfo> {
    desk.use_service(&url).await
}

/// Forgets the saved choice: the packaged default, or the demo when there is none.
#[tauri::command]
pub async fn use_packaged_service(desk: State<'_, Desk>) -> CommandResult<AppInfo> {
    desk.use_packaged_service().await
}

/// Demo mode, chosen explicitly.
#[tauri::command]
pub async fn use_demo(desk: State<'_, Desk>) -> CommandResult<AppInfo> {
    desk.use_demo().await
}
