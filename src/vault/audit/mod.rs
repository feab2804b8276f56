//! The audit trail: one entry for every change to the vault (and every unlock, export,
//! document and backup the vault knows of), in a chain that cannot be edited, reordered,
//! cut short or have entries removed without `verify` noticing.
//!
//! Invariants:
//! - Each entry's body (when, what, which record, a SHA-256 of the record's *sealed*
//!   bytes) is itself sealed under the data key, bound to the vault and its position,
//!   so the trail holds no plaintext at all, clinical or otherwise.
//! - Each entry carries `mac = HMAC(audit key, previous mac ‖ position ‖ sealed body)`;
//!   the audit key is derived from the data key with HKDF. The chain's length and last
//!   mac are sealed in the vault header together with the header's columns and a
//!   generation counter every write raises (header.rs), so cutting entries off the end,
//!   or putting back an older head, is caught too.
//! - A vault has its trail from its first moment: a new vault starts it, and a vault of
//!   format 1 gets it once, in its upgrade, with a baseline entry for every row it held.
//!   After that a missing head or missing entries is tampering, never a reason to start
//!   a new trail.
//! - Every stored row has an entry carrying the SHA-256 of its sealed bytes, whatever
//!   path wrote it (a change, an import, a note revision kept or pruned, a key
//!   rotation), and `verify` checks every row against the trail both ways.
//! - Entries are appended in the same transaction as the change they describe.
//! - Autosave edits to one record within [`BURST_SECONDS`] of each other update the
//!   newest entry (its count, last time and hash) instead of adding one per keystroke.
//! - A failed unlock has no key to write with: it is counted in `unlock_failures`, in
//!   plaintext, and that count is written into the chain at the next unlock for writing,
//!   after checking that it is a count and two times; anything else is recorded as
//!   tampering and never copied. (Someone with the file can reset that counter; the
//!   limit is in docs/SECURITY.md.)
//!
//! The chain itself (sealed entries, the HMAC chain, appending with the header's
//! reseal) is in `chain`, what an entry says in `events`, the upgrade that gives older
//! formats their trail in `upgrade`, the counter of failed unlocks in `failed_unlocks`;
//! every row is checked against the trail in `super::verify`.

mod chain;
mod events;
mod failed_unlocks;
mod upgrade;

pub(crate) use chain::{append, append_with, current_head, read, rekey, start};
pub use events::{AuditAction, AuditEntry, AuditEvent, AuditTrail, BURST_SECONDS};
pub(crate) use events::{RowWritten, describe_change, every_row_recorded_as, sealed_sha256};
pub(crate) use failed_unlocks::{count_failed_unlock, take_failed_unlocks};
pub(crate) use upgrade::upgrade;

use crate::error::{Error, Result};
use rusqlite::Connection;

/// Whether this file has audit tables at all (format 1 has none until its upgrade).
pub(crate) fn is_present(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries')",
        [],
        |r| r.get(0),
    )?)
}

/// The error for a trail that cannot take another entry.
pub(crate) fn damaged(detail: impl Into<String>) -> Error {
    Error::DamagedTrail {
        detail: detail.into(),
    }
}
