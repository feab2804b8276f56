//! Attached files: listed, attached from the system's file dialog or from files dropped
//! on the window (their paths stay in the shell, see file_drop.rs), shown page by page
//! as images in memory, saved out where the clinician chooses, detached. Each command
//! is one call into the core.

use crate::error::CommandResult;
use crate::file_choice::{Purpose, choose};
use crate::file_drop::DroppedFiles;
use crate::state::AppState;
use kapnotes::records::{Attachment, AttachmentKind, Date};
use kapnotes::vault::{NewAttachment, Overwrite};
use kapnotes::viewer::AttachmentPage;
use serde::Serialize;
use tauri::{AppHandle, State};

/// One client's attachments, in the order attached.
#[tauri::command(async)]
pub fn list_attachments(
    state: State<'_, AppState>,
    client_id: String,
) -> CommandResult<Vec<Attachment>> {
    state.with_vault(|vault| vault.attachments(Some(&client_id)))
}

fn new_attachment(
    client_id: String,
    session_id: Option<String>,
    kind: AttachmentKind,
    document_date: Option<Date>,
    title: Option<String>,
) -> NewAttachment {
    let mut new = NewAttachment::new(&client_id, kind);
    new.session_id = session_id;
    new.document_date = document_date;
    new.title = title.filter(|t| !t.trim().is_empty());
    new
}

/// Opens the system's file dialog (here, in the shell) and attaches the chosen file.
#[tauri::command(async)]
pub fn attach_chosen_file(
    app: AppHandle,
    state: State<'_, AppState>,
    client_id: String,
    session_id: Option<String>,
    kind: AttachmentKind,
    document_date: Option<Date>,
    title: Option<String>,
) -> CommandResult<Attachment> {
    let path = choose(&app, Purpose::Attach, "")?;
    let new = new_attachment(client_id, session_id, kind, document_date, title);
    state.with_vault(|vault| vault.attach_file(&new, &path))
}

/// Attaches the files last dropped on the window (the shell kept their paths), each
/// with `kind` and `document_date`; the dropped files are forgotten either way.
#[tauri::command(async)]
pub fn attach_dropped_files(
    state: State<'_, AppState>,
    dropped: State<'_, DroppedFiles>,
    client_id: String,
    session_id: Option<String>,
    kind: AttachmentKind,
    document_date: Option<Date>,
) -> CommandResult<Vec<Attachment>> {
    let paths = dropped.take();
    let new = new_attachment(client_id, session_id, kind, document_date, None);
    state.with_vault(|vault| {
        paths
            .iter()
            .map(|path| vault.attach_file(&new, path))
            .collect()
    })
}

/// Forgets the files last dropped on the window.
#[tauri::command]
pub fn discard_dropped_files(dropped: State<'_, DroppedFiles>) {
    dropped.take();
}

/// One page of an attachment as an image in memory (a PDF's page rendered by the core).
#[tauri::command(async)]
pub fn attachment_page(
    state: State<'_, AppState>,
    id: String,
    page: u32,
    width: u32,
) -> CommandResult<AttachmentPage> {
    state.with_vault(|vault| kapnotes::viewer::attachment_page(vault, &id, page, width))
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SavedAttachment {
    path: String,
}

/// Saves an attachment out, unencrypted, where the clinician chooses (the dialog asked
/// before replacing a file; never a vault or backup).
#[tauri::command(async)]
pub fn save_attachment_file(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<SavedAttachment> {
    let attachment = state.with_vault(|vault| vault.attachment(&id))?;
    let suggested = attachment
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{}.{}", attachment.title, attachment.media_type.extension()));
    let path = choose(&app, Purpose::SaveAttachment, &suggested)?;
    let saved =
        state.with_vault(|vault| vault.save_attachment(&id, &path, Overwrite::Confirmed))?;
    Ok(SavedAttachment {
        path: saved.display().to_string(),
    })
}

/// Removes an attachment from the vault (a recorded deletion).
#[tauri::command(async)]
pub fn detach_attachment(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_vault(|vault| vault.detach(&id).map(drop))
}
