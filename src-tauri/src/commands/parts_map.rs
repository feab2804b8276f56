//! The parts map: parts, relationships between them, and agreements.

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::records::{Agreement, Part, Relationship};
use tauri::State;

#[tauri::command(async)]
pub fn create_part(state: State<'_, AppState>, client_id: String, part: Part) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_part(&client_id, part))
}

#[tauri::command(async)]
pub fn update_part(state: State<'_, AppState>, part: Part) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_part(part))
}

#[tauri::command(async)]
pub fn delete_part(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_part(&id))
}

#[tauri::command(async)]
pub fn create_relationship(
    state: State<'_, AppState>,
    client_id: String,
    relationship: Relationship,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_relationship(&client_id, relationship))
}

#[tauri::command(async)]
pub fn update_relationship(
    state: State<'_, AppState>,
    relationship: Relationship,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_relationship(relationship))
}

#[tauri::command(async)]
pub fn delete_relationship(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_relationship(&id))
}

#[tauri::command(async)]
pub fn create_agreement(
    state: State<'_, AppState>,
    client_id: String,
    agreement: Agreement,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_agreement(&client_id, agreement))
}

#[tauri::command(async)]
pub fn update_agreement(state: State<'_, AppState>, agreement: Agreement) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_agreement(agreement))
}

#[tauri::command(async)]
pub fn delete_agreement(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_agreement(&id))
}
