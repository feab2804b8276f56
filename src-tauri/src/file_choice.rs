//! Paths for import, export, backup and restore are chosen by the clinician in a native
//! dialog opened from this side: the webview never names a path, so no script in it can
//! make the app read or write a file of its choosing.
//!
//! With the `e2e-paths` feature (end-to-end tests only), the path is read from the file
//! `$KAPNOTES_E2E_DIR/next-path`, which the test writes before it clicks; and the
//! front end's autosave pause can be lengthened (see [`e2e_autosave_delay_ms`]).

use crate::error::{CommandError, CommandResult};
use std::path::PathBuf;
use tauri::AppHandle;

#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Import,
    Export,
    Backup,
    Restore,
    BackupFolder,
    Document,
    /// A PDF, JPEG or PNG to attach to a client's record.
    Attach,
    /// Where an attachment is saved out (not encrypted).
    SaveAttachment,
}

#[cfg(not(feature = "e2e-paths"))]
pub fn choose(app: &AppHandle, purpose: Purpose, suggested_name: &str) -> CommandResult<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file();
    let picked = match purpose {
        Purpose::Import => dialog
            .add_filter("kapnotes interchange (JSON)", &["json"])
            .blocking_pick_file(),
        Purpose::Restore => dialog
            .add_filter("kapnotes backup", &["kapnotes"])
            .blocking_pick_file(),
        Purpose::Export => dialog
            .add_filter("JSON", &["json"])
            .set_file_name(suggested_name)
            .blocking_save_file(),
        Purpose::Backup => dialog
            .add_filter("kapnotes backup", &["kapnotes"])
            .set_file_name(suggested_name)
            .blocking_save_file(),
        Purpose::BackupFolder => dialog.blocking_pick_folder(),
        Purpose::Document => dialog
            .add_filter("PDF", &["pdf"])
            .set_file_name(suggested_name)
            .blocking_save_file(),
        Purpose::Attach => dialog
            .add_filter("PDF, JPEG or PNG", &["pdf", "jpg", "jpeg", "png"])
            .blocking_pick_file(),
        Purpose::SaveAttachment => dialog.set_file_name(suggested_name).blocking_save_file(),
    };
    let picked = picked.ok_or_else(CommandError::cancelled)?;
    picked.into_path().map_err(|_| {
        CommandError::other("That location cannot be used; choose a file on this computer.")
    })
}

#[cfg(feature = "e2e-paths")]
pub fn choose(
    _app: &AppHandle,
    _purpose: Purpose,
    _suggested_name: &str,
) -> CommandResult<PathBuf> {
    let dir = std::env::var_os("KAPNOTES_E2E_DIR").ok_or_else(CommandError::cancelled)?;
    let text = std::fs::read_to_string(PathBuf::from(dir).join("next-path"))
        .map_err(|_| CommandError::cancelled())?;
    Ok(PathBuf::from(text.trim()))
}

/// End-to-end test builds only: `$KAPNOTES_E2E_AUTOSAVE_MS`, a longer autosave pause,
/// so a test can prove that closing the window or locking the screen saved the words
/// itself, rather than an autosave that happened to come first.
#[cfg(feature = "e2e-paths")]
pub fn e2e_autosave_delay_ms() -> Option<u32> {
    std::env::var("KAPNOTES_E2E_AUTOSAVE_MS").ok()?.parse().ok()
}

#[cfg(not(feature = "e2e-paths"))]
pub fn e2e_autosave_delay_ms() -> Option<u32> {
    None
}
