//! Preferences (theme, auto-lock, backup interval, paper) and the clinician printed on
//! documents. The backup folder is not among them: see `backups::choose_backup_folder`.

use crate::error::{CommandError, CommandResult};
use crate::preferences::{Choices, Preferences};
use crate::state::AppState;
use kapnotes::records::Clinician;
use tauri::State;

#[tauri::command(async)]
pub fn get_preferences(state: State<'_, AppState>) -> Choices {
    Preferences::load(&state.preferences_path).choices()
}

#[tauri::command(async)]
pub fn set_preferences(state: State<'_, AppState>, preferences: Choices) -> CommandResult<Choices> {
    let choices = preferences.validated().map_err(CommandError::other)?;
    let preferences = Preferences::load(&state.preferences_path).with_choices(choices);
    preferences
        .save(&state.preferences_path)
        .map_err(CommandError::other)?;
    Ok(preferences.choices())
}

#[tauri::command(async)]
pub fn get_clinician(state: State<'_, AppState>) -> CommandResult<Option<Clinician>> {
    state.with_vault(|vault| vault.clinician())
}

#[tauri::command(async)]
pub fn set_clinician(
    state: State<'_, AppState>,
    clinician: Option<Clinician>,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.set_clinician(clinician.as_ref()))
}
