//! Tauri commands, grouped by domain. Each turns the window's arguments into one call of
//! `espace_pro_desk::Desk`, where the rules live (tested there without a window), and at most
//! adds what needs the window: a dialog, the viewer, a notification.

pub mod account;
pub mod activation;
pub mod demo;
pub mod devices;
pub mod links;
pub mod profile;
pub mod recovery;
pub mod second_factor;
pub mod session;
pub mod settings;
pub mod updates;

/// Where a file the person saves goes ("Enregistrer"): asked with the native dialog, proposing
/// `file_name` and filtering on `(kind, extensions)`; in the tests, their folder. `None` when
/// the person cancelled.
pub(crate) async fn ask_save_path<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    (kind, extensions): (&str, &[&str]),
    file_name: &str,
) -> Option<std::path::PathBuf> {
    use tauri_plugin_dialog::DialogExt as _;
    if let Some(dir) = crate::test_summary_dir() {
        return Some(dir.join(file_name));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter(kind, extensions)
        .set_file_name(file_name)
        .save_file(move |p| {
            let _ = tx.send(p.and_then(|p| p.into_path().ok()));
        });
    rx.await.ok().flatten()
}
