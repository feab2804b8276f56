//! Clients, their whole record, and search.

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::records::{Client, ClientProfile, new_id as fresh_id};
use kapnotes::search::SearchHit;
use tauri::State;

#[tauri::command(async)]
pub fn list_clients(state: State<'_, AppState>) -> CommandResult<Vec<ClientProfile>> {
    state.with_vault(|vault| vault.list_clients())
}

#[tauri::command(async)]
pub fn get_client(state: State<'_, AppState>, id: String) -> CommandResult<Client> {
    state.with_vault(|vault| vault.client(&id))
}

/// Adds a client with a display name; the rest is filled in by `update_client`.
#[tauri::command(async)]
pub fn create_client(
    state: State<'_, AppState>,
    display_name: String,
) -> CommandResult<ClientProfile> {
    let profile = ClientProfile::new(display_name.trim());
    state.with_vault(|vault| vault.create_client(profile.clone()))?;
    Ok(profile)
}

#[tauri::command(async)]
pub fn update_client(state: State<'_, AppState>, profile: ClientProfile) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_client(profile))
}

#[tauri::command(async)]
pub fn set_client_archived(
    state: State<'_, AppState>,
    id: String,
    archived: bool,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.set_client_archived(&id, archived))
}

#[tauri::command(async)]
pub fn delete_client(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_client(&id))
}

/// A fresh record id (the front end builds new parts, intentions… with it).
#[tauri::command(async)]
pub fn new_id() -> String {
    fresh_id()
}

#[tauri::command(async)]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    client_id: Option<String>,
) -> CommandResult<Vec<SearchHit>> {
    state.with_search(|vault, index| index.search(vault, &query, client_id.as_deref()))
}

/// Builds the in-memory search text right after unlock, so the clinician's first
/// search across every client is quick.
#[tauri::command(async)]
pub fn prepare_search(state: State<'_, AppState>) -> CommandResult<()> {
    state.with_search(|vault, index| index.prepare(vault))
}
