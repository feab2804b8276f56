//! Automatic backups: taken after changes (at most every few minutes, the front end
//! asks), on lock and on quit; and their status for the clinician.

use crate::error::{CommandError, CommandResult};
use crate::file_choice::{Purpose, choose};
use crate::preferences::Preferences;
use crate::state::AppState;
use kapnotes::vault::{automatic_backup_if_due, backup_state};
use serde::Serialize;
use tauri::{AppHandle, State};

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BackupStatus {
    /// Shown to the clinician; never sent back (the folder is chosen in the system dialog).
    folder: String,
    /// Backups go to the default folder in the data directory.
    default_folder: bool,
    /// When the newest automatic backup was taken (local time), if any.
    last_backup_at: Option<String>,
    /// No backup, or the newest is older than a week.
    stale: bool,
}

#[tauri::command(async)]
pub fn backup_status(state: State<'_, AppState>) -> CommandResult<BackupStatus> {
    status_of(&Preferences::load(&state.preferences_path))
}

fn status_of(preferences: &Preferences) -> CommandResult<BackupStatus> {
    let folder = preferences
        .backup_folder()
        .ok_or_else(|| CommandError::other("No folder is set for backups."))?;
    let status = backup_state(&folder)?;
    Ok(BackupStatus {
        folder: folder.display().to_string(),
        default_folder: preferences.backup_folder.is_none(),
        last_backup_at: status
            .last_taken_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        stale: status.stale,
    })
}

/// An automatic backup if the vault changed since the last one and, unless `force`,
/// the configured interval has passed. Returns the backup's path if one was taken.
pub fn backup_if_due(state: &AppState, force: bool) -> CommandResult<Option<String>> {
    let preferences = Preferences::load(&state.preferences_path);
    let Some(folder) = preferences.backup_folder() else {
        return Ok(None);
    };
    let every_minutes = (!force).then_some(preferences.backup_every_minutes);
    let taken = state.with_vault(|vault| automatic_backup_if_due(vault, &folder, every_minutes))?;
    Ok(taken.map(|summary| summary.path.display().to_string()))
}

/// Locks the vault, after an automatic backup if it changed since the last one. A
/// failed backup must not keep the vault unlocked; the top bar shows the backup's age.
pub fn back_up_and_lock(state: &AppState) {
    let _ = backup_if_due(state, true);
    state.lock();
}

#[tauri::command(async)]
pub fn auto_backup(state: State<'_, AppState>) -> CommandResult<Option<String>> {
    backup_if_due(&state, false)
}

/// Lets the clinician pick the folder for automatic backups in the system's folder
/// dialog. The webview never names it: it only sees where backups now go.
#[tauri::command(async)]
pub fn choose_backup_folder(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<BackupStatus> {
    let folder = choose(&app, Purpose::BackupFolder, "")?;
    let folder = folder.into_os_string().into_string().map_err(|_| {
        CommandError::other(
            "kapnotes cannot keep a folder whose name is not plain text; choose or rename another.",
        )
    })?;
    set_backup_folder(&state, Some(folder))
}

/// Sends automatic backups to the default folder in the data directory again.
#[tauri::command(async)]
pub fn use_default_backup_folder(state: State<'_, AppState>) -> CommandResult<BackupStatus> {
    set_backup_folder(&state, None)
}

fn set_backup_folder(state: &AppState, folder: Option<String>) -> CommandResult<BackupStatus> {
    let mut preferences = Preferences::load(&state.preferences_path);
    preferences.backup_folder = folder;
    preferences
        .save(&state.preferences_path)
        .map_err(CommandError::other)?;
    status_of(&preferences)
}
