//! Printed documents, as PDF: a session note, the dosing-day preparation sheet, and a
//! client's full record for a records request. The core lays them out (layout.rs) and
//! embeds the same SVG figures the app shows (src/charts/), each described by the
//! chart's own words. Every document is a tagged PDF/A-2a (archival) and PDF/UA-1
//! (accessible) file, checked by krilla's validators as it is written; one that would
//! not conform is refused, never written broken.
//!
//! A PDF is plaintext clinical data: it is written 0600 to a path the clinician chose,
//! the writing is recorded in the audit trail, and every caller tells the clinician the
//! file is not encrypted. Psychotherapy notes stay out of the full record unless asked
//! for, and the document says so.

mod client_record;
mod layout;
mod prep_sheet;
mod session_note;
mod wording;

use crate::error::{Error, Refusal, Result};
use crate::records::{Client, Date, Session, SessionKind};
use crate::vault::{AuditAction, AuditEvent, Output, OutputFile, Overwrite, Table, Vault};
pub use layout::Paper;
use layout::{Layout, Running};
use std::path::Path;
use wording::{client_line, clinician_line, date, kind_label};

/// Which document to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentRequest {
    /// One session note, any kind, with its addenda and signature.
    SessionNote { session_id: String },
    /// The sheet to have at hand on a dosing day: one page to read before the dose,
    /// and a blank monitoring table to fill in by hand.
    PrepSheet { session_id: String },
    /// A client's whole record, for a records request.
    ClientRecord {
        client_id: String,
        include_psychotherapy_notes: bool,
        /// Adds "the system then and now": the parts map of this day beside today's,
        /// with what changed, on a page of its own.
        map_then: Option<Date>,
    },
}

/// A document made and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDocument {
    pub pages: usize,
    pub bytes: u64,
}

/// What every caller tells the clinician after writing a document.
pub const NOT_ENCRYPTED: &str =
    "This PDF is NOT encrypted: keep it safe and delete it when it is no longer needed.";

/// Makes the requested document as PDF bytes (nothing is written or recorded).
pub fn document_pdf(
    vault: &Vault,
    request: &DocumentRequest,
    paper: Paper,
) -> Result<(Vec<u8>, usize)> {
    let clinician = vault.clinician()?;
    let mut layout = Layout::new(paper);
    let (title, client) = match request {
        DocumentRequest::SessionNote { session_id } => {
            let client = vault.client(&vault.client_of(Table::Sessions, session_id)?)?;
            let session = session_in(&client, session_id)?;
            session_note::session_note(&mut layout, &client, session)?;
            (
                format!(
                    "{} note, {}",
                    kind_label(session.kind),
                    date(&Date(session.starts_at.local_date()))
                ),
                client,
            )
        }
        DocumentRequest::PrepSheet { session_id } => {
            let client = vault.client(&vault.client_of(Table::Sessions, session_id)?)?;
            let session = session_in(&client, session_id)?;
            if session.kind != SessionKind::Dosing {
                return Err(Refusal::PrepSheetNeedsDosingSession.into());
            }
            // One page to have at hand: set tighter until it fits (a very large
            // system may still need a second).
            let settings = vault.rule_settings()?;
            for fit in prep_sheet::FITS {
                let mut attempt = Layout::new(paper);
                prep_sheet::prep_sheet(&mut attempt, &client, session, fit, &settings)?;
                layout = attempt;
                if layout.page_count() == 1 {
                    break;
                }
            }
            // Then the blank monitoring table, on a page of its own.
            prep_sheet::monitoring_page(&mut layout, &client, session);
            (
                format!(
                    "Dosing-day sheet, {}",
                    date(&Date(session.starts_at.local_date()))
                ),
                client,
            )
        }
        DocumentRequest::ClientRecord {
            client_id,
            include_psychotherapy_notes,
            map_then,
        } => {
            let mut client = vault.client(client_id)?;
            let mut audit = vault.client_audit_trail(client_id)?;
            let mut left_out = 0;
            if !include_psychotherapy_notes {
                // The trail's entries about those sessions go with them.
                let marked: Vec<String> = client
                    .sessions
                    .iter()
                    .filter(|s| s.psychotherapy_note)
                    .map(|s| s.id.clone())
                    .collect();
                audit.entries.retain(|e| {
                    [&e.record_id, &e.session_id]
                        .into_iter()
                        .flatten()
                        .all(|id| !marked.contains(id))
                });
                left_out = marked.len();
                crate::interchange::leave_out_psychotherapy_notes(&mut client);
            }
            client_record::client_record(
                &mut layout,
                &client,
                left_out,
                *include_psychotherapy_notes,
                &audit,
                *map_then,
            )?;
            ("Clinical record".to_owned(), client)
        }
    };
    let pages = layout.page_count();
    let running = Running {
        title,
        clinician: clinician_line(clinician.as_ref()),
        client: client_line(&client),
    };
    Ok((layout.render(&running)?, pages))
}

/// Makes the document and writes it to `path` through [`OutputFile`] (0600, never
/// half-written, never over a vault, over another file only with
/// [`Overwrite::Confirmed`], never into a missing folder), and enters it in the
/// audit trail once it is whole on disk, just before it is put in place.
pub fn write_document(
    vault: &Vault,
    request: &DocumentRequest,
    paper: Paper,
    path: &Path,
    overwrite: Overwrite,
) -> Result<WrittenDocument> {
    let output = OutputFile::begin(
        path,
        overwrite,
        Output::Plaintext {
            vault: vault.path(),
        },
    )?;
    let (bytes, pages) = document_pdf(vault, request, paper)?;
    let event = AuditEvent::new(AuditAction::DocumentWritten);
    let event = match request {
        DocumentRequest::SessionNote { session_id } => event
            .client(&vault.client_of(Table::Sessions, session_id)?)
            .record(Table::Sessions, session_id)
            .detail("session note PDF"),
        DocumentRequest::PrepSheet { session_id } => event
            .client(&vault.client_of(Table::Sessions, session_id)?)
            .record(Table::Sessions, session_id)
            .detail("dosing-day sheet PDF"),
        DocumentRequest::ClientRecord {
            client_id,
            include_psychotherapy_notes,
            ..
        } => event
            .client(client_id)
            .record(Table::Clients, client_id)
            .detail(if *include_psychotherapy_notes {
                "full record PDF, psychotherapy notes included"
            } else {
                "full record PDF, psychotherapy notes left out"
            }),
    };
    output.write(&bytes)?;
    vault.record_disclosure(event)?;
    output.finish()?;
    Ok(WrittenDocument {
        pages,
        bytes: bytes.len() as u64,
    })
}

fn session_in<'a>(client: &'a Client, session_id: &str) -> Result<&'a Session> {
    client.session(session_id).ok_or_else(|| Error::NotFound {
        what: "session",
        id: session_id.to_owned(),
    })
}
