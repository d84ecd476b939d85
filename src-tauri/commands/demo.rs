use espace_pro_client::mailbox::{DemoMail, KEPT_FOR, purge_mailbox, read_mailbox};
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// "Courriels (démo)": what the embedded service sent, newest first.
#[tauri::command]
pub fn demo_mailbox(state: State<'_, AppState>) -> CommandResult<Vec<DemoMail>> {
    let demo = state.demo().ok_or_else(|| {
        CommandError::new(
            "not_demo",
            "La boîte de démonstration n'existe qu'en mode démo.",
        )
    })?;
    // Codes older than their 48 hours are of no use, and are not kept.
    if let Err(e) = purge_mailbox(&demo.mailbox, KEPT_FOR) {
        tracing::warn!(error = %e, "old demo messages could not be removed");
    }
    read_mailbox(&demo.mailbox).map_err(|e| {
        CommandError::new(
            "io",
            format!("La boîte de démonstration est illisible : {e}"),
        )
    })
}
