//! "Double authentification" (`espace_pro_desk::second_factor`): turned on with a QR code and a
//! first code, its recovery codes saved or printed, turned off.

use espace_pro_contract::Secret;
use espace_pro_contract::api::SecondFactorState;
use espace_pro_desk::second_factor::Enrolment;
use espace_pro_desk::{AppCode, CommandError, CommandResult, Desk, write_summary};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

/// The file name "Enregistrer les codes" proposes.
pub const CODES_FILE_NAME: &str = "codes-de-secours-espace-professionnel.txt";

#[tauri::command]
pub async fn second_factor_state(desk: State<'_, Desk>) -> CommandResult<SecondFactorState> {
    desk.second_factor_state().await
}

#[tauri::command]
pub async fn start_second_factor(
    desk: State<'_, Desk>,
    password: String,
) -> CommandResult<Enrolment> {
    desk.start_second_factor(Secret::new(password)).await
}

/// "J'ai gardé mes codes": the app forgets them.
#[tauri::command]
pub fn forget_recovery_codes(desk: State<'_, Desk>) {
    desk.forget_recovery_codes();
}

#[tauri::command]
pub async fn confirm_second_factor(
    desk: State<'_, Desk>,
    code: String,
) -> CommandResult<Vec<String>> {
    desk.confirm_second_factor(&code).await
}

#[tauri::command]
pub async fn disable_second_factor(
    desk: State<'_, Desk>,
    password: String,
    code: String,
) -> CommandResult<()> {
    desk.disable_second_factor(Secret::new(password), &code)
        .await
}

/// "Enregistrer les codes": a private text file where the person picks. The path, or nothing if
/// the person cancelled.
#[tauri::command]
pub async fn save_recovery_codes<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<Option<String>> {
    let bytes = desk.recovery_codes_file().await?;
    let Some(path) = super::ask_save_path(&app, ("Texte", &["txt"]), CODES_FILE_NAME).await else {
        return Ok(None);
    };
    write_summary(path.clone(), bytes).await?;
    Ok(Some(path.display().to_string()))
}

/// "Imprimer les codes": the text file opened with the system's viewer, which prints it (in the
/// same private folder as the printed summary, removed when the app quits).
#[tauri::command]
pub async fn print_recovery_codes<R: tauri::Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> CommandResult<String> {
    let bytes = desk.recovery_codes_file().await?;
    let path = match crate::test_summary_dir() {
        Some(dir) => dir.join(format!("imprime-{CODES_FILE_NAME}")),
        None => super::profile::print_dir(&app)
            .ok_or_else(|| CommandError::app(AppCode::Io, "no cache folder"))?
            .join(CODES_FILE_NAME),
    };
    write_summary(path.clone(), bytes).await?;
    if crate::test_summary_dir().is_none() {
        app.opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| CommandError::app(AppCode::Open, e))?;
    }
    Ok(path.display().to_string())
}
