//! Preferences (theme, auto-lock) and the clinician printed on documents.

use crate::error::{CommandError, CommandResult};
use crate::preferences::Preferences;
use crate::state::AppState;
use kapnotes::records::Clinician;
use tauri::State;

#[tauri::command(async)]
pub fn get_preferences(state: State<'_, AppState>) -> Preferences {
    Preferences::load(&state.preferences_path)
}

#[tauri::command(async)]
pub fn set_preferences(
    state: State<'_, AppState>,
    preferences: Preferences,
) -> CommandResult<Preferences> {
    let preferences = preferences.validated().map_err(CommandError::other)?;
    preferences
        .save(&state.preferences_path)
        .map_err(CommandError::other)?;
    Ok(preferences)
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
