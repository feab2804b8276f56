//! The course at a glance: findings, course summary, charts, and outcome measures.

use crate::error::CommandResult;
use crate::state::AppState;
use kapnotes::measures::{Score, score};
use kapnotes::records::{Acknowledgement, Instrument, Measure};
use kapnotes::rules::Course;
use serde::Serialize;
use tauri::State;

/// What the overview shows of the course: the summary with its findings, and the
/// pictures. One load and decryption of the client serves both.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Overview {
    course: Course,
    charts: Charts,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Charts {
    measures: Option<String>,
    doses: Option<String>,
    self_energy: Option<String>,
    /// The protectors and the parts they protect, with the latest check-in's answers.
    protectors: Option<String>,
}

#[tauri::command(async)]
pub fn client_overview(state: State<'_, AppState>, client_id: String) -> CommandResult<Overview> {
    let (client, settings) =
        state.with_vault(|vault| Ok((vault.client(&client_id)?, vault.rule_settings()?)))?;
    Ok(Overview {
        course: kapnotes::rules::course(
            &client,
            kapnotes::records::Timestamp::now().instant(),
            &settings,
        ),
        charts: Charts {
            measures: kapnotes::charts::measures_chart(&client),
            doses: kapnotes::charts::dose_chart(&client),
            self_energy: kapnotes::charts::self_energy_chart(&client),
            protectors: kapnotes::charts::protector_figure(
                &client,
                client
                    .sessions
                    .iter()
                    .filter_map(|s| s.checkin.as_ref())
                    .max_by(|a, b| a.at.cmp(&b.at)),
            ),
        },
    })
}

/// Acknowledges an open warning or note about each of `record_ids` (one grouped line),
/// judged as of now, with the clinician's reason: all or none.
#[tauri::command(async)]
pub fn acknowledge_finding(
    state: State<'_, AppState>,
    client_id: String,
    code: String,
    record_ids: Vec<String>,
    reason: String,
) -> CommandResult<Vec<Acknowledgement>> {
    state.with_vault(|vault| {
        vault.acknowledge_findings(
            &client_id,
            &code,
            &record_ids,
            &reason,
            kapnotes::records::Timestamp::now().instant(),
        )
    })
}

/// Re-opens an acknowledged finding.
#[tauri::command(async)]
pub fn reopen_finding(
    state: State<'_, AppState>,
    client_id: String,
    acknowledgement_id: String,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.reopen_finding(&client_id, &acknowledgement_id))
}

/// Scores a measure as it is being entered (nothing is saved).
#[tauri::command(async)]
pub fn score_measure(measure: Measure) -> Score {
    score(&measure)
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InstrumentItems {
    topics: &'static [&'static str],
    item_max: u8,
    item_step: u8,
    max_score: f64,
    higher_is_better: bool,
}

#[tauri::command(async)]
pub fn instrument_items(instrument: Instrument) -> InstrumentItems {
    InstrumentItems {
        topics: instrument.item_topics(),
        item_max: instrument.item_max(),
        item_step: instrument.item_step(),
        max_score: instrument.max_score(),
        higher_is_better: instrument.higher_is_better(),
    }
}

#[tauri::command(async)]
pub fn create_measure(
    state: State<'_, AppState>,
    client_id: String,
    measure: Measure,
) -> CommandResult<()> {
    state.with_vault(|vault| vault.create_measure(&client_id, measure))
}

#[tauri::command(async)]
pub fn update_measure(state: State<'_, AppState>, measure: Measure) -> CommandResult<()> {
    state.with_vault(|vault| vault.update_measure(measure))
}

#[tauri::command(async)]
pub fn delete_measure(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.delete_measure(&id))
}
