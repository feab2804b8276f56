//! Clients' requests to amend their record: log, extend, accept (the change made and
//! linked), deny. Each delegates to the core.

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::records::{AmendmentRequest, AmendmentTarget, Date};
use kapnotes::vault::{AmendmentChange, AmendmentDenial};
use tauri::State;

#[tauri::command(async)]
pub fn log_amendment_request(
    state: State<'_, AppState>,
    client_id: String,
    received_on: Date,
    target: AmendmentTarget,
    requested_change: String,
) -> CommandResult<AmendmentRequest> {
    state.with_vault(|vault| {
        vault.log_amendment_request(&client_id, received_on, target, &requested_change)
    })
}

#[tauri::command(async)]
pub fn extend_amendment_request(
    state: State<'_, AppState>,
    client_id: String,
    request_id: String,
    recorded_on: Date,
    reason: String,
    new_due_on: Date,
) -> CommandResult<AmendmentRequest> {
    state.with_vault(|vault| {
        vault.extend_amendment_request(&client_id, &request_id, recorded_on, &reason, new_due_on)
    })
}

#[tauri::command(async)]
pub fn accept_amendment_request(
    state: State<'_, AppState>,
    client_id: String,
    request_id: String,
    decided_on: Date,
    change: AmendmentChange,
) -> CommandResult<AmendmentRequest> {
    state.with_vault(|vault| {
        vault.accept_amendment_request(&client_id, &request_id, decided_on, change)
    })
}

#[tauri::command(async)]
pub fn deny_amendment_request(
    state: State<'_, AppState>,
    client_id: String,
    request_id: String,
    decided_on: Date,
    denial: AmendmentDenial,
) -> CommandResult<AmendmentRequest> {
    state.with_vault(|vault| {
        vault.deny_amendment_request(&client_id, &request_id, decided_on, denial)
    })
}
