//! The app's managed state: where the vault is, the unlocked vault while it is
//! unlocked with its search index, and the outcome of the check run after unlock.
//! Locking drops the vault, and with it the keys, and the search index.

use crate::error::{CommandError, CommandResult};
use crate::verification::Outcome;
use kapnotes::Vault;
use kapnotes::search::SearchIndex;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

pub struct AppState {
    pub vault_path: PathBuf,
    pub preferences_path: PathBuf,
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    vault: Option<Vault>,
    /// The folded text of the unlocked vault's clients, for search: clinical text in
    /// memory, so it goes with the vault.
    search: SearchIndex,
    /// Raised on every unlock and every re-keying, so a check that started before
    /// (with the keys of its day) cannot report on the vault as it is now.
    unlock_number: u64,
    /// The outcome of the full check after this unlock, once it has finished.
    verification: Option<Outcome>,
}

impl AppState {
    /// The vault at `$KAPNOTES_VAULT`, else the default data folder, as for the CLI.
    pub fn from_environment() -> Self {
        let vault_path = std::env::var_os("KAPNOTES_VAULT")
            .map(PathBuf::from)
            .or_else(kapnotes::vault::default_vault_path)
            .unwrap_or_else(|| PathBuf::from("vault.kapnotes"));
        let preferences_path = dirs::config_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("kapnotes")
            .join("preferences.json");
        AppState {
            vault_path,
            preferences_path,
            slot: Mutex::new(Slot::default()),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // A panic while holding the lock must not lock the clinician out for good.
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_unlocked(&self) -> bool {
        self.slot().vault.is_some()
    }

    /// Holds the unlocked vault. Returns this unlock's number (see [`Self::is_current`]).
    pub fn set(&self, vault: Vault) -> u64 {
        let mut slot = self.slot();
        slot.vault = Some(vault);
        slot.search = SearchIndex::new();
        slot.unlock_number += 1;
        slot.verification = None;
        slot.unlock_number
    }

    /// Drops the unlocked vault, if any.
    pub fn lock(&self) {
        let mut slot = self.slot();
        slot.verification = None;
        slot.search = SearchIndex::new();
        if let Some(vault) = slot.vault.take() {
            vault.lock();
        }
    }

    /// Runs `f` with the unlocked vault, or fails with "locked".
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kapnotes::Result<T>,
    ) -> CommandResult<T> {
        let mut slot = self.slot();
        let Slot { vault, search, .. } = &mut *slot;
        let vault = vault.as_mut().ok_or_else(CommandError::locked)?;
        let outcome = f(vault).map_err(CommandError::from);
        // A change leaves no superseded or deleted text in memory until the next search.
        search.forget_stale(vault);
        outcome
    }

    /// Runs `f` with the unlocked vault and its search index, or fails with "locked".
    pub fn with_search<T>(
        &self,
        f: impl FnOnce(&Vault, &mut SearchIndex) -> kapnotes::Result<T>,
    ) -> CommandResult<T> {
        let mut slot = self.slot();
        let Slot { vault, search, .. } = &mut *slot;
        let vault = vault.as_ref().ok_or_else(CommandError::locked)?;
        f(vault, search).map_err(CommandError::from)
    }

    /// Like [`Self::with_vault`], for a change that gives the vault new keys: a check
    /// still running with the old ones is then out of date, and its outcome is dropped.
    /// Returns the new unlock number with `f`'s result.
    pub fn rekeying<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kapnotes::Result<T>,
    ) -> CommandResult<(T, u64)> {
        let mut slot = self.slot();
        let vault = slot.vault.as_mut().ok_or_else(CommandError::locked)?;
        let done = f(vault).map_err(CommandError::from)?;
        slot.unlock_number += 1;
        slot.verification = None;
        Ok((done, slot.unlock_number))
    }

    /// Runs `f` with the vault if it is still the unlock numbered `unlock_number`.
    pub fn with_current<T>(&self, unlock_number: u64, f: impl FnOnce(&Vault) -> T) -> Option<T> {
        let slot = self.slot();
        match &slot.vault {
            Some(vault) if slot.unlock_number == unlock_number => Some(f(vault)),
            _ => None,
        }
    }

    /// Keeps the outcome of the check of unlock `unlock_number`, and runs `announce`
    /// while still holding the state, so that a lock cannot slip in between: a check
    /// that finishes after the vault was locked (or re-keyed) is dropped. Returns
    /// whether it was kept.
    pub fn keep_verification(
        &self,
        unlock_number: u64,
        outcome: Outcome,
        announce: impl FnOnce(&Outcome),
    ) -> bool {
        let mut slot = self.slot();
        if slot.vault.is_none() || slot.unlock_number != unlock_number {
            return false;
        }
        announce(&outcome);
        slot.verification = Some(outcome);
        true
    }

    /// The outcome of the check after this unlock, if it has finished.
    pub fn verification(&self) -> Option<Outcome> {
        self.slot().verification.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> Outcome {
        Outcome {
            checked_at_ms: 0,
            records_checked: 1,
            problems: Vec::new(),
            could_not_check: None,
        }
    }

    #[test]
    fn a_check_that_ends_after_a_lock_or_new_keys_is_dropped() {
        let dir = std::env::temp_dir().join(format!("kapnotes-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let vault_path = dir.join("vault.kapnotes");
        let _ = std::fs::remove_file(&vault_path);
        let (vault, _recovery) =
            Vault::create(&vault_path, "a passphrase long enough for the test").unwrap();
        // A second handle on the same vault stands in for a later unlock.
        let later = vault.detached_reader().unwrap();
        let state = AppState {
            vault_path,
            preferences_path: dir.join("preferences.json"),
            slot: Mutex::new(Slot::default()),
        };

        let first = state.set(vault);
        state.lock();
        let announced = std::cell::Cell::new(false);
        assert!(!state.keep_verification(first, outcome(), |_| announced.set(true)));

        let second = state.set(later);
        assert!(!state.keep_verification(first, outcome(), |_| announced.set(true)));
        let ((), rekeyed) = state.rekeying(|_| Ok(())).unwrap();
        assert!(!state.keep_verification(second, outcome(), |_| announced.set(true)));
        assert!(!announced.get(), "an out-of-date check was announced");
        assert!(state.verification().is_none());

        assert!(state.keep_verification(rekeyed, outcome(), |_| announced.set(true)));
        assert!(announced.get());
        assert!(state.verification().is_some());
        state.lock();
        assert!(state.verification().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
