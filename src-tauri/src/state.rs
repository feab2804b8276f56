//! The app's managed state: where the vault is, and the unlocked vault while it is
//! unlocked. Locking drops the vault, and with it the keys and every decrypted cache.

use crate::error::{CommandError, CommandResult};
use kapnotes::Vault;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

pub struct AppState {
    pub vault_path: PathBuf,
    pub preferences_path: PathBuf,
    vault: Mutex<Option<Vault>>,
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
            vault: Mutex::new(None),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<Vault>> {
        // A panic while holding the lock must not lock the clinician out for good.
        self.vault
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_unlocked(&self) -> bool {
        self.slot().is_some()
    }

    pub fn set(&self, vault: Vault) {
        *self.slot() = Some(vault);
    }

    /// Drops the unlocked vault, if any.
    pub fn lock(&self) {
        if let Some(vault) = self.slot().take() {
            vault.lock();
        }
    }

    /// Runs `f` with the unlocked vault, or fails with "locked".
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kapnotes::Result<T>,
    ) -> CommandResult<T> {
        let mut slot = self.slot();
        let vault = slot.as_mut().ok_or_else(CommandError::locked)?;
        f(vault).map_err(CommandError::from)
    }
}
