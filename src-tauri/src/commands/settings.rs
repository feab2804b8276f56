//! Preferences (theme, auto-lock, backup interval, paper, spelling language), the clinician printed on
//! documents, and the thresholds of the dosing-day rules (kept in the vault). The
//! backup folder is not among them: see `backups::choose_backup_folder`.

use crate::error::{CommandError, CommandResult};
use crate::preferences::{Choices, Preferences, Shown};
use crate::spelling;
use crate::state::AppState;
use kapnotes::records::{Clinician, NoteTemplates};
use kapnotes::rules::{DOSING_THRESHOLDS, DosingThresholds, ThresholdKey, ThresholdSpec};
use kapnotes::rules::{Retention, RetentionPeriods};
use kapnotes::vault::DisposalPreview;
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, State};

#[tauri::command(async)]
pub fn get_preferences(state: State<'_, AppState>) -> Shown {
    Preferences::load(&state.preferences_path).shown()
}

/// Saves the choices, and sets the spell checker to the language now in effect if it changed.
#[tauri::command(async)]
pub fn set_preferences(
    app: AppHandle,
    state: State<'_, AppState>,
    preferences: Choices,
) -> CommandResult<Shown> {
    let installed = spelling::installed_languages();
    let choices = preferences
        .validated(&installed)
        .map_err(CommandError::other)?;
    let stored = Preferences::load(&state.preferences_path);
    let language_before = stored.spelling_language(&installed);
    let preferences = stored.with_choices(choices, &installed);
    preferences
        .save(&state.preferences_path)
        .map_err(CommandError::other)?;
    // Most saves (the dim-room switch, a reading reminder) leave the language alone.
    let language = preferences.spelling_language(&installed);
    if language != language_before {
        spelling::apply(&app, &language);
    }
    Ok(preferences.shown())
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

/// One threshold as the Settings screen shows it: the table's row and the vault's value.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Threshold {
    #[serde(flatten)]
    spec: ThresholdSpec,
    value: u32,
}

fn threshold_rows(thresholds: &DosingThresholds) -> Vec<Threshold> {
    DOSING_THRESHOLDS
        .iter()
        .map(|spec| Threshold {
            spec: *spec,
            value: thresholds.get(spec.key),
        })
        .collect()
}

#[tauri::command(async)]
pub fn get_thresholds(state: State<'_, AppState>) -> CommandResult<Vec<Threshold>> {
    state.with_vault(|vault| Ok(threshold_rows(&vault.thresholds()?)))
}

/// Sets the thresholds (an empty map restores every default); returns them as saved.
#[tauri::command(async)]
pub fn set_thresholds(
    state: State<'_, AppState>,
    values: BTreeMap<ThresholdKey, u32>,
) -> CommandResult<Vec<Threshold>> {
    let mut thresholds = DosingThresholds::default();
    for (key, value) in values {
        thresholds.set(key, value);
    }
    state.with_vault(|vault| {
        vault.set_thresholds(&thresholds)?;
        Ok(threshold_rows(&vault.thresholds()?))
    })
}

#[tauri::command(async)]
pub fn get_note_templates(state: State<'_, AppState>) -> CommandResult<NoteTemplates> {
    state.with_vault(|vault| vault.note_templates())
}

/// Sets the practice's note templates (`None`: kapnotes' own again); returns them as
/// saved.
#[tauri::command(async)]
pub fn set_note_templates(
    state: State<'_, AppState>,
    templates: Option<NoteTemplates>,
) -> CommandResult<NoteTemplates> {
    state.with_vault(|vault| {
        vault.set_note_templates(&templates.unwrap_or_default())?;
        vault.note_templates()
    })
}

#[tauri::command(async)]
pub fn get_retention(state: State<'_, AppState>) -> CommandResult<RetentionPeriods> {
    state.with_vault(|vault| vault.retention_periods())
}

#[tauri::command(async)]
pub fn set_retention(
    state: State<'_, AppState>,
    periods: RetentionPeriods,
) -> CommandResult<RetentionPeriods> {
    state.with_vault(|vault| {
        vault.set_retention_periods(&periods)?;
        vault.retention_periods()
    })
}

/// The clients whose retention has ended, earliest first.
#[tauri::command(async)]
pub fn past_retention(state: State<'_, AppState>) -> CommandResult<Vec<Retention>> {
    state.with_vault(|vault| vault.past_retention())
}

/// What disposing of a client deletes, and the automatic backups in the chosen backup
/// folder that still hold them.
#[tauri::command(async)]
pub fn disposal_preview(
    state: State<'_, AppState>,
    client_id: String,
) -> CommandResult<DisposalPreview> {
    let folder = Preferences::load(&state.preferences_path).backup_folder();
    state.with_vault(|vault| vault.disposal_preview(&client_id, folder.as_deref()))
}

/// Disposes of a client past retention; the passphrase is asked again.
#[tauri::command(async)]
pub fn dispose_client(
    state: State<'_, AppState>,
    client_id: String,
    passphrase: String,
) -> CommandResult<()> {
    let passphrase = zeroize::Zeroizing::new(passphrase);
    state.with_vault(|vault| vault.dispose_client(&client_id, &passphrase).map(drop))
}
