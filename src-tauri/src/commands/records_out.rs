//! The audit trail, and PDF documents written to a path the clinician picks.

use crate::error::CommandResult;
use crate::file_choice::{Purpose, choose};
use crate::preferences::Preferences;
use crate::state::AppState;
use kapnotes::documents::DocumentRequest;
use kapnotes::records::Date;
use kapnotes::vault::Overwrite;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

/// One audit entry as the audit view shows it.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditRow {
    position: u64,
    at: String,
    last_at: String,
    action: kapnotes::vault::AuditAction,
    label: &'static str,
    record_kind: Option<String>,
    record_id: Option<String>,
    client_id: Option<String>,
    content_sha256: Option<String>,
    count: u32,
    detail: Option<String>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditView {
    entries: Vec<AuditRow>,
    /// Empty when the chain is whole.
    problems: Vec<String>,
}

/// The whole vault's audit trail, or one client's, newest first.
#[tauri::command(async)]
pub fn audit_trail(
    state: State<'_, AppState>,
    client_id: Option<String>,
) -> CommandResult<AuditView> {
    let trail = state.with_vault(|vault| match &client_id {
        Some(id) => vault.client_audit_trail(id),
        None => vault.audit_trail(),
    })?;
    Ok(AuditView {
        entries: trail
            .entries
            .into_iter()
            .rev()
            .map(|e| AuditRow {
                position: e.position,
                at: e.at.to_string(),
                last_at: e.last_at.to_string(),
                action: e.action,
                label: e.action.label(),
                record_kind: e.record_kind,
                record_id: e.record_id,
                client_id: e.client_id,
                content_sha256: e.content_sha256,
                count: e.count,
                detail: e.detail,
            })
            .collect(),
        problems: trail.problems,
    })
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    SessionNote,
    PrepSheet,
    ClientRecord,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WrittenDocument {
    path: String,
    pages: usize,
}

/// Makes a PDF and writes it where the clinician chooses. `id` is the session's (a
/// note or a dosing-day sheet) or the client's (the full record, with "the system then
/// and now" on a page of its own when `map_then` names the earlier day). The file is chosen
/// first, so a cancelled dialog makes and records nothing; the dialog already asked
/// before replacing a file, so replacing is confirmed (never a vault or backup).
#[tauri::command(async)]
pub fn write_document(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: DocumentKind,
    id: String,
    include_psychotherapy_notes: bool,
    map_then: Option<Date>,
) -> CommandResult<WrittenDocument> {
    let (request, suggested) = match kind {
        DocumentKind::SessionNote => (
            DocumentRequest::SessionNote { session_id: id },
            "session-note.pdf",
        ),
        DocumentKind::PrepSheet => (
            DocumentRequest::PrepSheet { session_id: id },
            "dosing-day-sheet.pdf",
        ),
        DocumentKind::ClientRecord => (
            DocumentRequest::ClientRecord {
                client_id: id,
                include_psychotherapy_notes,
                map_then,
            },
            "clinical-record.pdf",
        ),
    };
    let paper = Preferences::load(&state.preferences_path).paper;
    let path = choose(&app, Purpose::Document, suggested)?;
    let written = state.with_vault(|vault| {
        kapnotes::documents::write_document(vault, &request, paper, &path, Overwrite::Confirmed)
    })?;
    Ok(WrittenDocument {
        path: path.display().to_string(),
        pages: written.pages,
    })
}
