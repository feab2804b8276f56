//! Which state of each client's records a copy held above the vault was made from, so
//! a layer that keeps derived text (search) knows what to build again, while the vault
//! keeps no such cache itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Stamps are unique across every vault unlocked in this process, so a copy made from
/// an earlier unlock (whose file another unlock may have changed since) never passes
/// for current.
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

fn next_stamp() -> u64 {
    NEXT_STAMP.fetch_add(1, Ordering::Relaxed)
}

/// The state of one client's records as this unlocked vault knows it: equal only while
/// the client has not changed through this vault since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientRevision(u64);

/// A stamp for the unlock, and one for each client changed since.
pub(crate) struct ClientRevisions {
    unlocked: u64,
    changed: HashMap<String, u64>,
}

impl ClientRevisions {
    pub(crate) fn new() -> ClientRevisions {
        ClientRevisions {
            unlocked: next_stamp(),
            changed: HashMap::new(),
        }
    }

    pub(crate) fn of(&self, client_id: &str) -> ClientRevision {
        ClientRevision(
            self.changed
                .get(client_id)
                .copied()
                .unwrap_or(self.unlocked),
        )
    }

    /// After a write to the client's records (including its creation or deletion).
    pub(crate) fn changed(&mut self, client_id: &str) {
        self.changed.insert(client_id.to_owned(), next_stamp());
    }
}
