use std::path::PathBuf;

use espace_pro_client::pdf::summary_pdf;
use espace_pro_contract::Secret;
use espace_pro_contract::api::{Activity, Profile, ProfileUpdate, SummaryData};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn profile(state: State<'_, AppState>) -> CommandResult<Profile> {
    state
        .with_session(async |api, token| api.profile(token).await)
        .await
}

#[tauri::command]
pub async fn update_profile(
    state: State<'_, AppState>,
    phone: String,
    address: String,
    security_question: String,
    security_answer: String,
    current_password: Option<String>,
) -> CommandResult<Profile> {
    let req = ProfileUpdate {
        phone: Some(phone),
        address: Some(address),
        security_question: Some(security_question),
        security_answer: Some(Secret::new(security_answer)),
        current_password: current_password.filter(|p| !p.is_empty()).map(Secret::new),
    };
    state
        .with_session(async |api, token| api.update_profile(token, &req).await)
        .await
}

#[tauri::command]
pub async fn activity(state: State<'_, AppState>) -> CommandResult<Activity> {
    state
        .with_session(async |api, token| api.activity(token).await)
        .await
}

/// The summary to print: the account's current one when logged in, else the one just shown after
/// activation.
async fn summary_bytes(state: &AppState) -> CommandResult<Vec<u8>> {
    let logged_in = state.session.lock().await.is_some();
    let data: SummaryData = match logged_in {
        true => {
            state
                .with_session(async |api, token| api.summary(token).await)
                .await?
                .summary
        }
        false => match state.last_summary.lock().await.clone() {
            Some(summary) => summary,
            // Right after an activation: the screen asks for the password, then
            // `reauthenticate` fetches the summary with it.
            None if state.activated_email.lock().await.is_some() => {
                return Err(CommandError::new(
                    "reauthentication_required",
                    "Saisissez votre mot de passe : le récapitulatif contient la réponse à votre question de confiance.",
                ));
            }
            None => {
                return Err(CommandError::new(
                    "no_summary",
                    "Aucun récapitulatif à enregistrer : connectez-vous d'abord.",
                ));
            }
        },
    };
    let now = state.time_zone().local(time::OffsetDateTime::now_utc());
    Ok(summary_pdf(&data, now)?)
}

/// After an activation, logged out: the password typed for the summary opens a session just
/// long enough to fetch it (the service gives the security answer only for a fresh password
/// entry), which is then closed.
pub async fn unlock_activation_summary(
    state: &AppState,
    email: &str,
    password: &Secret,
) -> CommandResult<()> {
    let api = state.api();
    let session = api.login(email, password, None).await?;
    let summary = api.summary(&session.token).await;
    if let Err(e) = api.logout(&session.token).await {
        tracing::warn!(error = %e, "the summary's session could not be closed");
    }
    *state.last_summary.lock().await = Some(summary?.summary);
    Ok(())
}

const FILE_NAME: &str = "recapitulatif-espace-professionnel.pdf";

/// Written private (0600): the summary holds the security answer.
fn write(path: &std::path::Path, bytes: &[u8]) -> CommandResult<()> {
    use std::io::Write as _;
    espace_pro_server::files::private_file()
        .create(true)
        .truncate(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| CommandError::new("io", format!("Le fichier n'a pas pu être écrit : {e}")))
}

/// Where "Imprimer" puts the summary for the viewer: a private folder of the cache, emptied at
/// "Quitter", when the app exits and when it starts again (after a crash).
pub fn print_dir<R: tauri::Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    app.path().app_cache_dir().ok().map(|d| d.join("print"))
}

pub fn remove_printed<R: tauri::Runtime>(app: &AppHandle<R>) {
    if let Some(dir) = print_dir(app)
        && dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        tracing::warn!(error = %e, "the printed summary could not be removed");
    }
}

/// "Sauvegardez ou imprimez le récapitulatif": saved where the user picks. Returns the path, or
/// nothing if the user cancelled.
#[tauri::command]
pub async fn save_summary<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<String>> {
    let bytes = summary_bytes(&state).await?;
    let path: Option<PathBuf> = if let Some(dir) = &state.summary_dir {
        Some(dir.join(FILE_NAME))
    } else {
        let (tx, rx) = tokio::sync::oneshot::channel();
        app.dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_file_name(FILE_NAME)
            .save_file(move |p| {
                let _ = tx.send(p.and_then(|p| p.into_path().ok()));
            });
        rx.await.ok().flatten()
    };
    let Some(path) = path else { return Ok(None) };
    write(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// Opens the summary in the system's PDF viewer, which prints it.
#[tauri::command]
pub async fn print_summary<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<String> {
    let bytes = summary_bytes(&state).await?;
    let (dir, name) = match &state.summary_dir {
        Some(d) => (d.clone(), FILE_NAME.to_owned()),
        None => {
            let dir = print_dir(&app)
                .ok_or_else(|| CommandError::new("io", "Aucun dossier temporaire disponible."))?;
            // A name of its own each time: a viewer still showing the last one keeps it.
            let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
            (dir, format!("recapitulatif-{stamp}.pdf"))
        }
    };
    espace_pro_server::files::private_dir(&dir)
        .map_err(|e| CommandError::new("io", e.to_string()))?;
    let path = dir.join(name);
    write(&path, &bytes)?;
    if state.summary_dir.is_none() {
        app.opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| {
                CommandError::new(
                    "open",
                    format!("Le visualiseur PDF n'a pas pu être ouvert : {e}"),
                )
            })?;
    }
    Ok(path.display().to_string())
}
