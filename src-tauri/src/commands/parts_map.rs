//! The parts map: parts, relationships between them, agreements and groups; a part's
//! unburdening steps and its story; the map as it was on a day, and two days compared.

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::parts_history::{MapComparison, MapOnDay, PartStory};
use kapnotes::records::{
    Agreement, Date, Part, PartGroup, PartPosition, Relationship, UnburdeningStep,
};
use kapnotes::vault::PartsMap;
use tauri::State;

#[tauri::command(async)]
pub fn parts_map(state: State<'_, AppState>, client_id: String) -> CommandResult<PartsMap> {
    state.with_vault(|vault| vault.parts_map(&client_id))
}

#[tauri::command(async)]
pub fn create_part(state: State<'_, AppState>, client_id: String, part: Part) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_part(&client_id, part))
}

#[tauri::command(async)]
pub fn update_part(state: State<'_, AppState>, part: Part) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_part(part))
}

#[tauri::command(async)]
pub fn set_part_positions(
    state: State<'_, AppState>,
    client_id: String,
    positions: Vec<PartPosition>,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.set_part_positions(&client_id, &positions))
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

#[tauri::command(async)]
pub fn create_group(
    state: State<'_, AppState>,
    client_id: String,
    group: PartGroup,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_group(&client_id, group))
}

#[tauri::command(async)]
pub fn update_group(state: State<'_, AppState>, group: PartGroup) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_group(group))
}

#[tauri::command(async)]
pub fn delete_group(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_group(&id))
}

/// Adds the step, or replaces the one with the same id; returns the part as saved (an
/// "unburdening" step sets its status).
#[tauri::command(async)]
pub fn record_unburdening_step(
    state: State<'_, AppState>,
    part_id: String,
    step: UnburdeningStep,
) -> CommandResult<Part> {
    state.with_vault(|vault| vault.record_unburdening_step(&part_id, step))
}

#[tauri::command(async)]
pub fn delete_unburdening_step(
    state: State<'_, AppState>,
    part_id: String,
    step_id: String,
) -> CommandResult<Part> {
    state.with_vault(|vault| vault.delete_unburdening_step(&part_id, &step_id))
}

#[tauri::command(async)]
pub fn parts_map_on(
    state: State<'_, AppState>,
    client_id: String,
    date: Date,
) -> CommandResult<MapOnDay> {
    state.with_vault(|vault| vault.map_on(&client_id, date))
}

#[tauri::command(async)]
pub fn compare_parts_maps(
    state: State<'_, AppState>,
    client_id: String,
    from: Date,
    to: Date,
) -> CommandResult<MapComparison> {
    state.with_vault(|vault| vault.compare_maps(&client_id, from, to))
}

#[tauri::command(async)]
pub fn part_story(state: State<'_, AppState>, part_id: String) -> CommandResult<PartStory> {
    state.with_vault(|vault| vault.part_story(&part_id))
}
