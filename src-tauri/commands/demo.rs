use espace_pro_client::mailbox::DemoMail;
use espace_pro_desk::{CommandResult, Desk};
use tauri::State;

/// "Courriels (démo)": what the embedded service sent, newest first.
#[tauri::command]
pub async fn demo_mailbox(desk: State<'_, Desk>) -> CommandResult<Vec<DemoMail>> {
    desk.demo_mailbox().await
}
