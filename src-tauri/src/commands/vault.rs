//! Creating, unlocking, recovering and locking the vault.

use crate::error::CommandResult;
use crate::state::AppState;
use crate::verification::{self, Outcome};
use kapnotes::{Access, Vault};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use zeroize::Zeroizing;

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppStatus {
    vault_exists: bool,
    unlocked: bool,
    vault_path: String,
    /// The outcome of the check after this unlock, once it has finished (it is also
    /// announced by the `vault-verified` event).
    verification: Option<Outcome>,
    /// End-to-end test builds only: a longer autosave pause, so a test can tell a
    /// closing or locking save from an ordinary one. Always `None` in a real build.
    autosave_delay_ms: Option<u32>,
}

#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    AppStatus {
        vault_exists: state.vault_path.is_file(),
        unlocked: state.is_unlocked(),
        vault_path: state.vault_path.display().to_string(),
        verification: state.verification(),
        autosave_delay_ms: crate::file_choice::e2e_autosave_delay_ms(),
    }
}

/// Creates the vault and returns the recovery key, to be shown once.
#[tauri::command(async)]
pub fn create_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<String> {
    let passphrase = Zeroizing::new(passphrase);
    let (vault, recovery) = Vault::create(&state.vault_path, &passphrase)?;
    let unlock_number = state.set(vault);
    // A new vault is checked too, so the top bar reads the same after every unlock.
    verification::start(&app, unlock_number);
    Ok(recovery.dangerously_reveal().to_string())
}

/// Unlocks the vault. Returns the failed attempts made since the last unlock, if any,
/// for the clinician to see.
#[tauri::command(async)]
pub fn unlock_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<Option<String>> {
    let passphrase = Zeroizing::new(passphrase);
    let vault = Vault::unlock(&state.vault_path, &passphrase, Access::ReadWrite)?;
    let failed = vault.failed_unlocks_before_this_unlock().map(str::to_owned);
    let unlock_number = state.set(vault);
    verification::start(&app, unlock_number);
    Ok(failed)
}

/// Unlocks with the recovery key and sets a new passphrase. Returns the failed
/// attempts made since the last unlock, if any.
#[tauri::command(async)]
pub fn recover_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    recovery_key: String,
    new_passphrase: String,
) -> CommandResult<Option<String>> {
    let recovery_key = Zeroizing::new(recovery_key);
    let new_passphrase = Zeroizing::new(new_passphrase);
    let mut vault =
        Vault::unlock_with_recovery_key(&state.vault_path, &recovery_key, Access::ReadWrite)?;
    vault.change_passphrase(&new_passphrase)?;
    let failed = vault.failed_unlocks_before_this_unlock().map(str::to_owned);
    let unlock_number = state.set(vault);
    verification::start(&app, unlock_number);
    Ok(failed)
}

/// Locks the vault, after an automatic backup if it changed since the last one.
#[tauri::command(async)]
pub fn lock_vault(app: AppHandle, state: State<'_, AppState>) {
    crate::commands::backups::back_up_and_lock(&state);
    let _ = app.emit("vault-locked", ());
}

#[tauri::command(async)]
pub fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> CommandResult<()> {
    let current = Zeroizing::new(current);
    let new = Zeroizing::new(new);
    state.with_vault(|vault| {
        vault.check_passphrase(&current)?;
        vault.change_passphrase(&new)
    })
}

/// Called by the front end once it has saved everything, when the window closes.
#[tauri::command(async)]
pub fn quit_app(app: AppHandle, state: State<'_, AppState>) {
    crate::commands::backups::back_up_and_lock(&state);
    app.exit(0);
}

/// A new recovery key (shown once; the old one stops working). Asks for the passphrase
/// again, so nobody at an unlocked computer can quietly replace it.
#[tauri::command(async)]
pub fn regenerate_recovery_key(
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<String> {
    let passphrase = Zeroizing::new(passphrase);
    state.with_vault(|vault| {
        vault.check_passphrase(&passphrase)?;
        Ok(vault
            .regenerate_recovery_key()?
            .dangerously_reveal()
            .to_string())
    })
}

/// Re-encrypts every record under a new data key; returns the new recovery key.
#[tauri::command(async)]
pub fn rotate_data_key(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<String> {
    let passphrase = Zeroizing::new(passphrase);
    let (recovery, unlock_number) = state.rekeying(|vault| {
        Ok(vault
            .rotate_data_key(&passphrase)?
            .dangerously_reveal()
            .to_string())
    })?;
    verification::start(&app, unlock_number);
    Ok(recovery)
}

/// "Someone may know my passphrase": a new passphrase, a new data key and a new
/// recovery key in one step; returns the new recovery key, to be shown once. Copies
/// made before (backups included) still open with the old passphrase and recovery key.
#[tauri::command(async)]
pub fn replace_every_secret(
    app: AppHandle,
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> CommandResult<String> {
    let current = Zeroizing::new(current);
    let new = Zeroizing::new(new);
    let (recovery, unlock_number) = state.rekeying(|vault| {
        Ok(vault
            .replace_every_secret(&current, &new)?
            .dangerously_reveal()
            .to_string())
    })?;
    verification::start(&app, unlock_number);
    Ok(recovery)
}
