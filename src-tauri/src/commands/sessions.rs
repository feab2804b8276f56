//! Sessions: create, autosave, sign, addenda, note history, and the rules the
//! session screens show as the clinician works (dose range, check-in decision).

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::records::{Addendum, CheckInResponse, Decision, Session, SessionKind, Timestamp};
use kapnotes::rules::{DoseAssessment, assess_dose as assess, forced_decision};
use kapnotes::vault::NoteRevision;
use tauri::State;

/// Creates a planned session of `kind` starting at `starts_at` (now when absent).
#[tauri::command(async)]
pub fn create_session(
    state: State<'_, AppState>,
    client_id: String,
    kind: SessionKind,
    starts_at: Option<Timestamp>,
) -> CommandResult<Session> {
    state.with_vault(|vault| {
        vault.start_session(&client_id, kind, starts_at.unwrap_or_else(Timestamp::now))
    })
}

#[tauri::command(async)]
pub fn update_session(state: State<'_, AppState>, session: Session) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_session(session))
}

#[tauri::command(async)]
pub fn delete_session(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_session(&id))
}

#[tauri::command(async)]
pub fn sign_session(state: State<'_, AppState>, id: String) -> CommandResult<Timestamp> {
    state.with_vault(|vault| vault.sign_session(&id))
}

#[tauri::command(async)]
pub fn add_addendum(
    state: State<'_, AppState>,
    id: String,
    text: String,
) -> CommandResult<Addendum> {
    state.with_vault(|vault| vault.add_addendum(&id, &text))
}

#[tauri::command(async)]
pub fn note_revisions(state: State<'_, AppState>, id: String) -> CommandResult<Vec<NoteRevision>> {
    state.with_vault(|vault| vault.note_revisions(&id))
}

#[tauri::command(async)]
pub fn restore_note_revision(
    state: State<'_, AppState>,
    id: String,
    revision_id: String,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.restore_note_revision(&id, &revision_id))
}

/// The dose's band and how it stands against this client's prescriber's range.
#[tauri::command(async)]
pub fn assess_dose(
    state: State<'_, AppState>,
    client_id: String,
    mg: f64,
    booster_mg: Option<f64>,
) -> CommandResult<DoseAssessment> {
    let profile = state.with_vault(|vault| vault.client_profile(&client_id))?;
    Ok(assess(profile.prescriber.as_ref(), mg, booster_mg))
}

/// The decision a set of check-in answers forces (hold off on any red), if any.
#[tauri::command(async)]
pub fn checkin_decision(responses: Vec<CheckInResponse>) -> Option<Decision> {
    forced_decision(&responses)
}
