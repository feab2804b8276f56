//! Failed unlocks: counted unsealed (there is no key to write with), then checked and
//! written into the chain at the next unlock for writing.

use super::events::{AuditAction, AuditEvent};
use crate::error::Result;
use crate::records::Timestamp;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

/// Counts a failed unlock (no key is available to write into the chain). Best effort:
/// a file that cannot be written, or predates the audit trail, is left alone.
pub(crate) fn count_failed_unlock(conn: &Connection) {
    let _ = conn.execute(
        "INSERT INTO unlock_failures (singleton, attempts, first_at, last_at)
         VALUES (1, 1, ?1, ?1)
         ON CONFLICT(singleton) DO UPDATE SET attempts = attempts + 1, last_at = ?1",
        [Timestamp::now().as_str()],
    );
}

/// The most failed attempts a genuine counter can plausibly hold; more is an edit.
const MOST_FAILED_ATTEMPTS: i64 = 1_000_000_000;

/// What the unsealed counter of failed unlocks held, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FailedUnlocks {
    Counted {
        attempts: i64,
        first: Timestamp,
        last: Timestamp,
    },
    /// The counter was edited in the file: it is not a count and two times in order.
    Altered,
}

impl FailedUnlocks {
    /// How the clinician and the trail hear of it.
    pub(crate) fn describe(&self) -> String {
        let readable = |t: &Timestamp| t.instant().format("%-d %b %Y, %H:%M:%S").to_string();
        match self {
            FailedUnlocks::Counted {
                attempts: 1, first, ..
            } => format!("1 failed attempt, at {}", readable(first)),
            FailedUnlocks::Counted {
                attempts,
                first,
                last,
            } => format!(
                "{attempts} failed attempts, from {} to {}",
                readable(first),
                readable(last)
            ),
            FailedUnlocks::Altered => "the unsealed count of failed attempts had been altered in the file, so how many there were is unknown".into(),
        }
    }
}

/// Reads the unsealed counter, accepting only what kapnotes itself writes there.
fn check_failed_unlocks(attempts: Value, first: Value, last: Value) -> FailedUnlocks {
    let time = |value: Value| match value {
        Value::Text(text) => Timestamp::parse(&text).ok(),
        _ => None,
    };
    match (attempts, time(first), time(last)) {
        (Value::Integer(attempts), Some(first), Some(last))
            if (1..=MOST_FAILED_ATTEMPTS).contains(&attempts)
                && first.instant() <= last.instant() =>
        {
            FailedUnlocks::Counted {
                attempts,
                first,
                last,
            }
        }
        _ => FailedUnlocks::Altered,
    }
}

/// The failed unlocks counted since the last unlock for writing, checked, as an event;
/// clears the count (inside the caller's transaction).
pub(crate) fn take_failed_unlocks(
    conn: &Connection,
) -> Result<Option<(FailedUnlocks, AuditEvent)>> {
    let found = conn
        .query_row(
            "SELECT attempts, first_at, last_at FROM unlock_failures",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional();
    let failed = match found {
        Ok(None) => None,
        Ok(Some((attempts, first, last))) => {
            conn.execute("DELETE FROM unlock_failures", [])?;
            Some(check_failed_unlocks(attempts, first, last))
        }
        // Unreadable values (the table's shape is checked when the file is opened).
        Err(_) => {
            conn.execute("DELETE FROM unlock_failures", [])?;
            Some(FailedUnlocks::Altered)
        }
    };
    Ok(failed.map(|failed| {
        let event = AuditEvent::new(AuditAction::FailedUnlocks).detail(failed.describe());
        (failed, event)
    }))
}
