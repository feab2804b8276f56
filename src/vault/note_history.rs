//! Autosave must never destroy text: earlier states of every unsigned session note are
//! kept, sealed, and can be brought back. At most one revision is kept per minute of
//! continuous editing (a burst), plus one whenever a save removes a noticeable amount
//! of text, and the newest [`KEPT_REVISIONS`] are kept. They are not exported.

use super::audit::{AuditAction, RowWritten};
use super::store::{self, Keys, RowMeta, Table};
use super::{NoteHistory, Vault};
use crate::error::{Error, Result};
use crate::records::{NoteSection, Session, Timestamp, new_id};
use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

/// How many earlier states of one note are kept.
pub const KEPT_REVISIONS: usize = 20;

/// Edits closer together than this belong to one burst and keep one revision.
const BURST_SECONDS: i64 = 60;

/// A save that removes more than this many characters always keeps the text before it.
const REMOVAL_KEPT_CHARS: usize = 40;

/// An earlier state of a session note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct NoteRevision {
    pub id: String,
    /// When this text was replaced.
    pub saved_at: Timestamp,
    pub note: String,
    /// The template and sections the note had then (a note written in a template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<NoteSection>,
}

impl NoteRevision {
    fn same_text(&self, session: &Session) -> bool {
        self.note == session.note
            && self.template == session.template
            && self.sections == session.sections
    }
}

/// Whether two states of a session differ in their note (plain, or its sections).
pub(crate) fn note_changed(before: &Session, after: &Session) -> bool {
    before.note != after.note
        || before.template != after.template
        || before.sections != after.sections
}

/// How much text a note holds, plain and in its sections.
fn note_chars(session: &Session) -> usize {
    session.note.chars().count()
        + session
            .sections
            .iter()
            .map(|s| s.text.chars().count())
            .sum::<usize>()
}

impl super::store::Identified for NoteRevision {
    fn record_id(&self) -> &str {
        &self.id
    }
}

/// Keeps `previous` (the note before this save) as a revision when the rules above say
/// so, and prunes the oldest beyond [`KEPT_REVISIONS`]; returns the rows it wrote and
/// removed, for the audit trail.
pub(crate) fn remember(
    tx: &Transaction<'_>,
    keys: &Keys,
    session_id: &str,
    previous: &Session,
    next: &Session,
    history: NoteHistory,
) -> Result<Vec<RowWritten>> {
    if note_chars(previous) == 0 {
        return Ok(Vec::new());
    }
    let rows = store::load_rows(tx, Table::NoteRevisions, Some(session_id))?;
    let newest: Option<NoteRevision> = match rows.last() {
        Some((meta, sealed)) => Some(keys.open(Table::NoteRevisions, meta, sealed)?),
        None => None,
    };
    let now = Timestamp::now();
    if let Some(newest) = &newest {
        if newest.same_text(previous) {
            return Ok(Vec::new());
        }
        let removed_text = note_chars(previous) > note_chars(next) + REMOVAL_KEPT_CHARS;
        let same_burst = (now.instant() - newest.saved_at.instant()).num_seconds() < BURST_SECONDS;
        if history == NoteHistory::Automatic && same_burst && !removed_text {
            return Ok(Vec::new());
        }
    }
    let revision = NoteRevision {
        id: new_id(),
        saved_at: now,
        note: previous.note.clone(),
        template: previous.template.clone(),
        sections: previous.sections.clone(),
    };
    let meta = RowMeta {
        id: revision.id.clone(),
        parent: Some(session_id.to_owned()),
        creation_order: store::next_creation_order(tx, Table::NoteRevisions)?,
        revision: 1,
    };
    let sealed = keys.seal(Table::NoteRevisions, &meta, &revision)?;
    store::insert(tx, Table::NoteRevisions, &meta, &sealed)?;
    let mut written = vec![RowWritten {
        action: AuditAction::Created,
        table: Table::NoteRevisions,
        id: meta.id,
        sealed: Some(sealed),
        session: Some(session_id.to_owned()),
    }];
    let excess = (rows.len() + 1).saturating_sub(KEPT_REVISIONS);
    for (old, _) in rows.iter().take(excess) {
        store::delete(tx, Table::NoteRevisions, &old.id)?;
        // Pruning is recorded like any deletion, so a revision removed behind
        // kapnotes' back is told apart from one kapnotes let go.
        written.push(RowWritten {
            action: AuditAction::Deleted,
            table: Table::NoteRevisions,
            id: old.id.clone(),
            sealed: None,
            session: Some(session_id.to_owned()),
        });
    }
    Ok(written)
}

impl Vault {
    /// The kept earlier states of a session's note, newest first.
    pub fn note_revisions(&self, session_id: &str) -> Result<Vec<NoteRevision>> {
        self.client_of(Table::Sessions, session_id)?;
        let mut revisions = Vec::new();
        for (meta, sealed) in store::load_rows(&self.conn, Table::NoteRevisions, Some(session_id))?
        {
            let revision: NoteRevision =
                self.keys
                    .open_record(Table::NoteRevisions, &meta, &sealed)?;
            revisions.push(revision);
        }
        revisions.reverse();
        Ok(revisions)
    }

    /// Brings an earlier state of an unsigned note back. The text it replaces is kept
    /// as a revision, so restoring can itself be undone.
    pub fn restore_note_revision(&mut self, session_id: &str, revision_id: &str) -> Result<()> {
        let revision = self
            .note_revisions(session_id)?
            .into_iter()
            .find(|r| r.id == revision_id)
            .ok_or_else(|| Error::NotFound {
                what: "note revision",
                id: revision_id.to_owned(),
            })?;
        let client_id = self.client_of(Table::Sessions, session_id)?;
        self.modify_client(&client_id, NoteHistory::KeepReplaced, |client| {
            let session = super::clients::session_in(client, session_id)?;
            session.note = revision.note;
            session.template = revision.template;
            session.sections = revision.sections;
            Ok(())
        })
    }
}
