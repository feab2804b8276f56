//! The attachments of an export: a tar archive written beside the JSON document
//! (`<name>.attachments.tar`), each file named `<id>.<pdf|jpg|png>`, streamed from the
//! vault one chunk at a time on export and back into sealed chunks on import. tar (the
//! `tar` crate) rather than zip: it streams both ways with no central directory to hold
//! or seek to, and the files (PDF, JPEG, PNG) are compressed already.

use super::Document;
use crate::error::{Error, Result};
use crate::records::Attachment;
use crate::validation::text::first_forbidden;
use crate::vault::{AddArchived, ArchivedContents, OutputFile, Vault, archive_entry_name};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The attachments an export carries: every one of the exported clients', except
/// those of a session the export leaves out (psychotherapy notes). One whose session
/// was deleted since goes without a session (the document must name only its own).
pub(super) fn attachments_of(vault: &Vault, document: &Document) -> Result<Vec<Attachment>> {
    let mut out = Vec::new();
    for client in &document.clients {
        let stored = vault.client(client.id())?;
        for mut attachment in vault.attachments(Some(client.id()))? {
            match attachment.session_id.as_deref() {
                Some(session) if client.session(session).is_some() => {}
                Some(session) if stored.session(session).is_none() => {
                    attachment.session_id = None;
                }
                Some(_) => continue,
                None => {}
            }
            out.push(attachment);
        }
    }
    Ok(out)
}

/// ", 3 attachments" for the audit entry, or nothing.
pub(super) fn attachments_in_words(document: &Document) -> String {
    match document.attachments.len() {
        0 => String::new(),
        1 => ", 1 attachment".into(),
        n => format!(", {n} attachments"),
    }
}

/// The archive's name and path beside the document at `json`.
pub(super) fn archive_beside(json: &Path) -> Result<(String, PathBuf)> {
    let stem = json
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("export");
    let name = format!("{stem}.attachments.tar");
    Ok((name.clone(), json.with_file_name(name)))
}

fn archive_failure(path: &Path, e: std::io::Error) -> Error {
    Error::io(path, e)
}

/// Streams every attachment's content into the archive being written.
pub(super) fn write_archive(
    vault: &Vault,
    attachments: &[Attachment],
    output: &OutputFile<'_>,
) -> Result<()> {
    let at = output.temporary().to_owned();
    output.write_with(|file| {
        let mut builder = tar::Builder::new(file);
        for attachment in attachments {
            let mut header = tar::Header::new_ustar();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(attachment.size);
            header.set_mode(0o600);
            // No time: the same vault exports the same archive.
            header.set_mtime(0);
            let name = archive_entry_name(&attachment.id, attachment.media_type);
            let mut entry = builder
                .append_writer(&mut header, &name)
                .map_err(|e| archive_failure(&at, e))?;
            vault.read_attachment(&attachment.id, &mut entry)?;
            entry.finish().map_err(|e| archive_failure(&at, e))?;
        }
        builder.finish().map_err(|e| archive_failure(&at, e))?;
        Ok(())
    })
}

/// What the document says of its attachments, checked before anything is read from
/// the archive: an archive named when (and only when) there are attachments, each of
/// a client of the document (and a session of that client), text fit to store.
pub(super) fn check_attachments(document: &Document) -> Result<()> {
    match (
        &document.attachments_archive,
        document.attachments.is_empty(),
    ) {
        (None, false) => {
            return Err(Error::rejected(
                "/attachments_archive",
                "the document lists attachments but names no archive holding them",
            ));
        }
        (Some(_), true) => {
            return Err(Error::rejected(
                "/attachments_archive",
                "the document names an archive but lists no attachments",
            ));
        }
        _ => {}
    }
    let clients: HashMap<&str, &crate::records::Client> =
        document.clients.iter().map(|c| (c.id(), c)).collect();
    for (i, attachment) in document.attachments.iter().enumerate() {
        let Some(client) = clients.get(attachment.client_id.as_str()) else {
            return Err(Error::rejected(
                format!("/attachments/{i}/client_id"),
                "this is not a client of this document",
            ));
        };
        if let Some(session) = &attachment.session_id
            && client.session(session).is_none()
        {
            return Err(Error::rejected(
                format!("/attachments/{i}/session_id"),
                "this is not a session of the attachment's client",
            ));
        }
        let texts = [
            ("title", Some(attachment.title.as_str())),
            ("file_name", attachment.file_name.as_deref()),
        ];
        for (field, text) in texts {
            if let Some(problem) = text.and_then(|t| first_forbidden(t, false)) {
                return Err(Error::rejected(
                    format!("/attachments/{i}/{field}"),
                    problem.rule(),
                ));
            }
        }
    }
    Ok(())
}

/// The archive named `name` beside the document at `json`, opened for an import.
pub(super) fn open_beside(json: &Path, name: &str) -> Result<TarContents> {
    let path = json.with_file_name(name);
    let file = std::fs::File::open(&path).map_err(|e| {
        Error::rejected(
            "/attachments_archive",
            format!(
                "the archive {} holding the attachments could not be opened ({e}); put it beside the document",
                path.display()
            ),
        )
    })?;
    Ok(TarContents {
        file,
        name: name.to_owned(),
    })
}

/// An export's archive being read back.
pub(super) struct TarContents {
    file: std::fs::File,
    name: String,
}

impl ArchivedContents for TarContents {
    fn each(&mut self, add: &mut AddArchived<'_>) -> Result<()> {
        let damaged = |name: &str| {
            Error::rejected(
                name.to_owned(),
                "the archive is damaged or is not a tar archive; export again",
            )
        };
        let mut archive = tar::Archive::new(&mut self.file);
        for entry in archive.entries().map_err(|_| damaged(&self.name))? {
            let mut entry = entry.map_err(|_| damaged(&self.name))?;
            let path = entry
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .map_err(|_| damaged(&self.name))?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(Error::rejected(
                    format!("{}/{path}", self.name),
                    "the archive may hold only files",
                ));
            }
            let id = path
                .split_once('.')
                .map_or(path.as_str(), |(id, _)| id)
                .to_owned();
            let size = entry.size();
            add(&path, &id, &mut entry, size)?;
        }
        Ok(())
    }
}
