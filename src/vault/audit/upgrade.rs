//! The upgrade of an older format: a format-1 vault gets its trail (a baseline entry
//! for every row), a format-2 vault its trail re-sealed, later formats keep theirs.

use super::chain::{append_with, current_head, genesis_head, read, rekey};
use super::events::{AuditAction, AuditEvent, every_row_recorded_as};
use super::{damaged, is_present};
use crate::error::{Error, Result};
use crate::vault::header::{Header, SealLayout};
use crate::vault::schema;
use crate::vault::store::{self, Keys, Table, every_row};
use crate::vault::verify::row_problems;
use rusqlite::Connection;
use std::collections::HashSet;

/// Brings a vault of an older format up to date inside the caller's transaction. Every
/// row and audit entry is re-sealed under
/// the format-3 records key (derived from the master key), so a header of the older
/// format put back later, which still unwraps the master key, opens none of them. A
/// format-1 vault gets its trail here, with a baseline entry for every row. A format-2
/// vault keeps its trail, checked first with every row against it (rows its imports
/// did not record on their own pass): a damaged one is never carried over as whole.
///
/// From format 3 on the keys and the trail stay as they are ([`upgrade_in_place`]).
/// Either way `start_histories` writes what the new format adds for each client (with
/// the new keys), after every row was re-sealed, and returns the events for its rows.
pub(crate) fn upgrade(
    tx: &rusqlite::Transaction<'_>,
    old: &Keys,
    start_histories: impl FnOnce(&Connection, &Keys) -> Result<Vec<AuditEvent>>,
) -> Result<()> {
    if schema::stored_version(tx)? >= 3 {
        return upgrade_in_place(tx, old, start_histories);
    }
    let new = Keys::new(&old.vault_id, old.master.duplicate(), SealLayout::WithTrail);
    let (head, first, each_row) = if is_present(tx)? {
        let trail = read(tx, old)?;
        if let Some(problem) = trail.problems.first() {
            return Err(damaged(problem.trim_end_matches('.')));
        }
        let since_rotation = trail
            .entries
            .iter()
            .rposition(|e| e.action == AuditAction::DataKeyRotated)
            .map_or(0, |i| i + 1);
        let rows = row_problems(
            &every_row(tx)?,
            &trail.entries[since_rotation..],
            &HashSet::new(),
            true,
        );
        if let Some(problem) = rows.first() {
            return Err(damaged(problem.trim_end_matches('.')));
        }
        (
            rekey(tx, old, &new)?,
            AuditAction::Upgraded,
            AuditAction::Resealed,
        )
    } else {
        (
            genesis_head(),
            AuditAction::AuditStarted,
            AuditAction::Baseline,
        )
    };
    for table in Table::ALL {
        // Tables a later format adds are not there yet, and hold nothing to re-seal.
        if !store::exists(tx, table)? {
            continue;
        }
        for (meta, sealed) in store::load_rows(tx, table, None)? {
            let resealed = old.reseal(&new, table, &meta, &sealed)?;
            store::replace_sealed(tx, table, &meta.id, &resealed)?;
        }
    }
    schema::apply_pending(tx)?;
    let header = Header::read(tx)?.ok_or(Error::DamagedHeader {
        detail: "it is missing",
    })?;
    let mut events = vec![AuditEvent::new(first)];
    events.extend(every_row_recorded_as(tx, each_row)?);
    events.extend(start_histories(tx, &new)?);
    append_with(tx, &new, header, head, &events)
}

/// Brings a vault of format 3 or later up to date: its keys and trail stay; the trail
/// and every row are checked against each other first (a damaged trail is never carried
/// over as whole, and no history is started from a row put back behind its back).
fn upgrade_in_place(
    tx: &rusqlite::Transaction<'_>,
    keys: &Keys,
    start_histories: impl FnOnce(&Connection, &Keys) -> Result<Vec<AuditEvent>>,
) -> Result<()> {
    let trail = read(tx, keys)?;
    if let Some(problem) = trail.problems.first() {
        return Err(damaged(problem.trim_end_matches('.')));
    }
    let rows = row_problems(&every_row(tx)?, &trail.entries, &HashSet::new(), false);
    if let Some(problem) = rows.first() {
        return Err(damaged(problem.trim_end_matches('.')));
    }
    // The head is read under the old format's seal, before the format changes.
    let (header, head) = current_head(tx, keys)?;
    let from = schema::stored_version(tx)?;
    schema::apply_pending(tx)?;
    let mut events = vec![AuditEvent::new(AuditAction::Upgraded).detail(format!(
        "from format {from} to format {}",
        schema::current_version()
    ))];
    events.extend(start_histories(tx, keys)?);
    let mut header = header;
    header.schema_version = schema::current_version();
    append_with(tx, keys, header, head, &events)
}
