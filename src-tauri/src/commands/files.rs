//! Import, export, backup and restore. The clinician picks each path in a native
//! dialog opened here (see file_choice.rs); the front end never names a path.

use crate::error::CommandResult;
use crate::file_choice::{Purpose, choose};
use crate::state::AppState;
use kapnotes::vault::Overwrite;
use kapnotes::{ExportScope, ImportSummary};
use serde::Serialize;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Written {
    path: String,
    bytes: u64,
}

#[tauri::command(async)]
pub fn import_file(app: AppHandle, state: State<'_, AppState>) -> CommandResult<ImportSummary> {
    let path = choose(&app, Purpose::Import, "")?;
    // From the file, so the attachments' archive beside it is found.
    state.with_vault(|vault| kapnotes::interchange::import_file(vault, &path))
}

/// Exports the whole vault, or one client for a records request, as plain JSON. The
/// file is chosen first: a cancelled dialog exports and records nothing. The dialog
/// already asked before replacing a file, so replacing is confirmed here; the core
/// still never writes over a vault or backup. The whole vault's attachments always go
/// with it (in an archive beside the document); a records request's only when asked.
#[tauri::command(async)]
pub fn export_file(
    app: AppHandle,
    state: State<'_, AppState>,
    client_id: Option<String>,
    include_psychotherapy_notes: bool,
    include_attachments: bool,
) -> CommandResult<Written> {
    let scope = match client_id {
        Some(id) => ExportScope::Client {
            id,
            include_psychotherapy_notes,
        },
        None => ExportScope::Everything,
    };
    let with_attachments = include_attachments || scope == ExportScope::Everything;
    let path = choose(&app, Purpose::Export, "kapnotes-export.json")?;
    let bytes = state.with_vault(|vault| {
        kapnotes::interchange::export_to_files(
            vault,
            &scope,
            &path,
            Overwrite::Confirmed,
            with_attachments,
        )
    })?;
    Ok(Written {
        path: path.display().to_string(),
        bytes,
    })
}

/// A backup where the clinician chooses (replacing an older backup of this vault, or
/// another file, as the save dialog confirmed).
#[tauri::command(async)]
pub fn backup_file(app: AppHandle, state: State<'_, AppState>) -> CommandResult<Written> {
    let path = choose(&app, Purpose::Backup, "kapnotes-backup.kapnotes")?;
    let summary = state.with_vault(|vault| vault.backup_to(&path, Overwrite::Confirmed))?;
    Ok(Written {
        path: summary.path.display().to_string(),
        bytes: summary.bytes,
    })
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Restored {
    /// Where the vault that was replaced is kept.
    replaced_vault_kept_at: String,
}

/// Replaces the vault with a backup, after checking it with the passphrase of its
/// day; the replaced vault is kept beside it. The vault is locked afterwards.
#[tauri::command(async)]
pub fn restore_file(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<Restored> {
    let passphrase = Zeroizing::new(passphrase);
    let backup = choose(&app, Purpose::Restore, "")?;
    state.lock();
    let kept = kapnotes::vault::replace_with_backup(&state.vault_path, &backup, &passphrase)?;
    Ok(Restored {
        replaced_vault_kept_at: kept.display().to_string(),
    })
}
