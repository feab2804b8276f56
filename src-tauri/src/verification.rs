//! The full `verify` after every unlock, on a thread of its own so the clinician can
//! work meanwhile. Its outcome is kept in the state (and given in `app_status`) and
//! announced with the `vault-verified` event; a check that finishes after the vault
//! was locked or re-keyed is dropped.

use crate::state::AppState;
use kapnotes::vault::{Problem, VerifyReport};
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter, Manager};

pub const EVENT: &str = "vault-verified";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Verification"))]
pub struct Outcome {
    /// When the check finished, in milliseconds since 1970 (the front end shows it in
    /// local time).
    pub checked_at_ms: u64,
    pub records_checked: usize,
    /// Empty when everything is intact.
    pub problems: Vec<Problem>,
    /// Why the check could not run to its end, when it could not.
    pub could_not_check: Option<String>,
}

impl Outcome {
    fn of(result: kapnotes::Result<VerifyReport>) -> Outcome {
        let checked_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        match result {
            Ok(report) => Outcome {
                checked_at_ms,
                records_checked: report.records_checked,
                problems: report.problems,
                could_not_check: None,
            },
            Err(error) => Outcome {
                checked_at_ms,
                records_checked: 0,
                problems: Vec::new(),
                could_not_check: Some(error.to_string()),
            },
        }
    }
}

/// Starts the check of unlock `unlock_number` on its own thread.
pub fn start(app: &AppHandle, unlock_number: u64) {
    let state = app.state::<AppState>();
    // Taken while holding the state, so the reader is this unlock's vault, with its keys.
    let Some(reader) = state.with_current(unlock_number, |vault| vault.detached_reader()) else {
        return;
    };
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("verify".into())
        .spawn(move || {
            let app = handle;
            let state = app.state::<AppState>();
            // `verify` reads one snapshot, so a save made while it runs cannot look
            // like a record out of step with the trail.
            let report = reader.and_then(|reader| reader.verify());
            state.keep_verification(unlock_number, Outcome::of(report), |outcome| {
                let _ = app.emit(EVENT, outcome);
            });
        });
    if let Err(error) = spawned {
        let outcome = Outcome::of(Err(kapnotes::error::Internal::CheckNotStarted {
            detail: error.to_string(),
        }
        .into()));
        state.keep_verification(unlock_number, outcome, |outcome| {
            let _ = app.emit(EVENT, outcome);
        });
    }
}
