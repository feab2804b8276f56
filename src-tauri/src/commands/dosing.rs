//! The dosing day's live picture: the chart of vital signs across one session.

use crate::error::CommandResult;
use crate::state::AppState;
use tauri::State;

/// Blood pressure, heart rate and SpO₂ across the session, with the dose marked, as SVG;
/// `None` when the session has no readings to draw.
#[tauri::command(async)]
pub fn session_vitals_chart(
    state: State<'_, AppState>,
    session_id: String,
) -> CommandResult<Option<String>> {
    let session = state.with_vault(|vault| vault.session(&session_id))?;
    Ok(kapnotes::charts::vitals_chart(&session))
}
