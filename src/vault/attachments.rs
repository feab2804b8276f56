//! Attached files (from format 6): a consent form, a prescriber's letter, a lab result.
//!
//! Each attachment is two things, both sealed under the records key:
//! - its metadata, one record in `attachments` under its client (a [`Table`] like any
//!   other: its own audit entry with the hash of its sealed bytes, checked against the
//!   trail at unlock and in `verify`, re-sealed by a key rotation);
//! - its content, in `attachment_chunks`: the file cut into [`CHUNK_BYTES`] pieces, each
//!   sealed with associated data binding the vault, the attachment id, the chunk's
//!   position and the number of chunks, so a chunk cannot be swapped with another,
//!   reordered, moved to another attachment or another vault, nor the file cut short,
//!   without failing to open. The metadata holds the SHA-256 of the chunks' sealed
//!   bytes in order, so the one audit entry per attachment covers every chunk row too
//!   (a chunk dropped, added or put back is caught at unlock, without decrypting it),
//!   and the SHA-256 of the plaintext, checked whenever the file is read whole.
//!
//! A file is read from its reader one chunk at a time and sealed before it reaches
//! SQLite: no more than one chunk of plaintext is in memory, none is ever on disk
//! (SQLite, its temporary store included, only ever sees sealed bytes).

use super::Vault;
use super::audit::{AuditAction, AuditEvent};
use super::output_file::{Output, OutputFile, Overwrite};
use super::store::{self, Identified, Keys, RowMeta, Table};
use super::write::NoteHistory;
use crate::crypto::AssociatedData;
use crate::error::{Error, Refusal, Result};
use crate::records::{
    Attachment, AttachmentKind, Date, Id, MAX_ATTACHMENT_BYTES, MediaType, Timestamp, new_id,
};
use crate::validation::text::first_forbidden;
use ring::digest;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The size of one sealed piece of a file: small enough that memory stays bounded,
/// large enough that a 25 MB file is a hundred rows.
pub const CHUNK_BYTES: usize = 256 * 1024;

const CHUNKS: &str = "attachment_chunks";

/// The metadata as stored: the attachment, and what binds its chunks to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredAttachment {
    pub id: Id,
    pub session_id: Option<Id>,
    pub title: String,
    pub kind: AttachmentKind,
    pub document_date: Date,
    pub attached_at: Timestamp,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: String,
    pub file_name: Option<String>,
    pub chunk_count: u64,
    /// SHA-256 over every chunk's sealed bytes, in order, each preceded by its length.
    pub sealed_chunks_sha256: String,
}

impl Identified for StoredAttachment {
    fn record_id(&self) -> &str {
        &self.id
    }
}

impl StoredAttachment {
    fn public(self, client_id: &str) -> Attachment {
        Attachment {
            id: self.id,
            client_id: client_id.to_owned(),
            session_id: self.session_id,
            title: self.title,
            kind: self.kind,
            document_date: self.document_date,
            attached_at: self.attached_at,
            media_type: self.media_type,
            size: self.size,
            sha256: self.sha256,
            file_name: self.file_name,
        }
    }
}

/// What the clinician says about a file being attached; the rest is read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    pub client_id: Id,
    pub session_id: Option<Id>,
    /// Defaults to the file's name without its extension.
    pub title: Option<String>,
    pub kind: AttachmentKind,
    /// Defaults to the day it is attached.
    pub document_date: Option<Date>,
    /// The file's own name, kept sealed (for saving it out again).
    pub file_name: Option<String>,
}

impl NewAttachment {
    pub fn new(client_id: &str, kind: AttachmentKind) -> Self {
        NewAttachment {
            client_id: client_id.to_owned(),
            session_id: None,
            title: None,
            kind,
            document_date: None,
            file_name: None,
        }
    }
}

/// The associated data of one chunk.
fn chunk_associated_data(
    vault_id: &str,
    attachment_id: &str,
    position: u64,
    count: u64,
) -> AssociatedData {
    AssociatedData::new("attachment chunk")
        .field(vault_id.as_bytes())
        .field(attachment_id.as_bytes())
        .field(position.to_string().as_bytes())
        .field(count.to_string().as_bytes())
}

fn chunk_count(size: u64) -> u64 {
    size.div_ceil(CHUNK_BYTES as u64)
}

/// The digest of the chunks' sealed bytes, fed one chunk at a time.
struct SealedDigest(digest::Context);

impl SealedDigest {
    fn new() -> Self {
        SealedDigest(digest::Context::new(&digest::SHA256))
    }
    fn add(&mut self, sealed: &[u8]) {
        self.0.update(&(sealed.len() as u64).to_be_bytes());
        self.0.update(sealed);
    }
    fn finish(self) -> String {
        data_encoding::HEXLOWER.encode(self.0.finish().as_ref())
    }
}

fn hex(d: digest::Digest) -> String {
    data_encoding::HEXLOWER.encode(d.as_ref())
}

fn damaged_content(id: &str) -> Error {
    Error::TamperedRecord {
        table: CHUNKS,
        id: id.to_owned(),
    }
}

/// Reads exactly `buffer.len()` bytes, or refuses: the file is shorter than it was.
fn read_chunk(content: &mut dyn Read, buffer: &mut [u8]) -> Result<()> {
    content.read_exact(buffer).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Refusal::AttachmentChangedWhileRead.into(),
        _ => Error::io("the file being attached", e),
    })
}

/// A file name worth keeping: one line, no invisible characters; otherwise none.
fn usable_name(name: Option<&str>) -> Option<String> {
    name.map(str::trim)
        .filter(|n| !n.is_empty() && first_forbidden(n, false).is_none())
        .map(str::to_owned)
}

fn checked_title(new: &NewAttachment, file_name: Option<&str>) -> Result<String> {
    let title = match new.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => {
            if let Some(problem) = first_forbidden(title, false) {
                return Err(Error::rejected("/title", problem.rule()));
            }
            title.to_owned()
        }
        _ => file_name
            .map(|name| {
                Path::new(name)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or(name)
                    .to_owned()
            })
            .filter(|stem| !stem.is_empty())
            .unwrap_or_else(|| {
                let label = new.kind.label();
                let mut title = label[..1].to_uppercase();
                title.push_str(&label[1..]);
                title
            }),
    };
    if title.chars().count() > 200 {
        return Err(Error::rejected(
            "/title",
            "a title holds at most 200 characters; shorten it and try again",
        ));
    }
    Ok(title)
}

/// What sealing a file's content produced, for its metadata.
struct SealedContent {
    sha256: String,
    chunk_count: u64,
    sealed_chunks_sha256: String,
}

/// Reads `size` bytes from `content` (after `first`, the first chunk when the caller
/// already read it) and writes them as sealed chunks of attachment `id`, one chunk in
/// memory at a time. Refuses a content shorter or longer than `size`.
fn seal_content(
    conn: &Connection,
    keys: &Keys,
    vault_id: &str,
    id: &str,
    content: &mut dyn Read,
    size: u64,
    first: Option<Zeroizing<Vec<u8>>>,
) -> Result<SealedContent> {
    let count = chunk_count(size);
    let mut plain_digest = digest::Context::new(&digest::SHA256);
    let mut sealed_digest = SealedDigest::new();
    let mut insert = conn.prepare_cached(
        "INSERT INTO attachment_chunks (attachment_id, position, sealed) VALUES (?1, ?2, ?3)",
    )?;
    let mut first = first;
    for position in 0..count {
        let buffer = match first.take() {
            Some(buffer) => buffer,
            None => {
                let len = (size - position * CHUNK_BYTES as u64).min(CHUNK_BYTES as u64);
                let mut buffer = Zeroizing::new(vec![0u8; len as usize]);
                read_chunk(content, &mut buffer)?;
                buffer
            }
        };
        plain_digest.update(&buffer);
        let ad = chunk_associated_data(vault_id, id, position, count);
        let sealed = keys.data_key.seal(&buffer, ad.as_bytes())?;
        sealed_digest.add(&sealed);
        insert.execute(params![id, position as i64, sealed])?;
    }
    // A file that grew while it was read is not the one that was measured.
    let mut more = [0u8; 1];
    match content.read(&mut more) {
        Ok(0) => {}
        Ok(_) => return Err(Refusal::AttachmentChangedWhileRead.into()),
        Err(e) => return Err(Error::io("the file being attached", e)),
    }
    Ok(SealedContent {
        sha256: hex(plain_digest.finish()),
        chunk_count: count,
        sealed_chunks_sha256: sealed_digest.finish(),
    })
}

/// Writes an attachment's sealed metadata under its client; returns its audit event.
fn insert_metadata(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    stored: &StoredAttachment,
    action: AuditAction,
) -> Result<AuditEvent> {
    let meta = RowMeta {
        id: stored.id.clone(),
        parent: Some(client_id.to_owned()),
        creation_order: store::next_creation_order(conn, Table::Attachments)?,
        revision: 1,
    };
    let sealed = keys.seal(Table::Attachments, &meta, stored)?;
    store::insert(conn, Table::Attachments, &meta, &sealed)?;
    Ok(AuditEvent::new(action)
        .client(client_id)
        .record(Table::Attachments, &stored.id)
        .sealed_content(&sealed)
        .detail(format!(
            "{} ({}, {} bytes in {} sealed chunks)",
            stored.kind.label(),
            stored.media_type.extension().to_uppercase(),
            stored.size,
            stored.chunk_count
        )))
}

/// What an import does with each archived file: its path in the archive (for
/// messages), the attachment id its name gives, its content and its size.
pub(crate) type AddArchived<'a> = dyn FnMut(&str, &str, &mut dyn Read, u64) -> Result<()> + 'a;

/// The files arriving with an import, in their archive.
pub(crate) trait ArchivedContents {
    /// Calls `add` with each file of the archive: its path there (for messages), the
    /// attachment id its name gives, its content and its size.
    fn each(&mut self, add: &mut AddArchived<'_>) -> Result<()>;
}

/// Writes imported attachments (validated by the caller against the document's
/// clients) with their content from `contents`, inside the import's transaction.
/// A file not named, named twice, of another size, type or hash than the document
/// says, and a named file missing, are refused with the file's path in the archive.
pub(crate) fn insert_imported(
    conn: &Connection,
    keys: &Keys,
    attachments: &[Attachment],
    archive_name: &str,
    contents: &mut dyn ArchivedContents,
) -> Result<Vec<AuditEvent>> {
    let by_id: std::collections::HashMap<&str, &Attachment> =
        attachments.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut events = Vec::new();
    let mut seen = std::collections::HashSet::new();
    contents.each(&mut |path, id, content, size| {
        let at = format!("{archive_name}/{path}");
        let Some(attachment) = by_id.get(id) else {
            return Err(Error::rejected(
                at,
                "the archive holds a file the document does not name",
            ));
        };
        if !seen.insert(id.to_owned()) {
            return Err(Error::rejected(at, "the archive holds this file twice"));
        }
        if size != attachment.size {
            return Err(Error::rejected(
                at,
                "the file is not the size the document gives: it was altered; export again",
            ));
        }
        let first_len = size.min(CHUNK_BYTES as u64) as usize;
        let mut first = Zeroizing::new(vec![0u8; first_len]);
        read_chunk(content, &mut first)
            .map_err(|_| Error::rejected(at.clone(), "the file is cut short"))?;
        if MediaType::detect(&first) != Some(attachment.media_type) {
            return Err(Error::rejected(
                at,
                "the file is not of the type the document gives: it was altered; export again",
            ));
        }
        let sealed = seal_content(conn, keys, &keys.vault_id, id, content, size, Some(first))
            .map_err(|e| match e {
                Error::Refused(_) => Error::rejected(at.clone(), "the file is cut short"),
                other => other,
            })?;
        if sealed.sha256 != attachment.sha256 {
            return Err(Error::rejected(
                at,
                "the file's content is not the one the document names (its SHA-256 differs): it was altered; export again",
            ));
        }
        let stored = StoredAttachment {
            id: attachment.id.clone(),
            session_id: attachment.session_id.clone(),
            title: attachment.title.clone(),
            kind: attachment.kind,
            document_date: attachment.document_date,
            attached_at: attachment.attached_at.clone(),
            media_type: attachment.media_type,
            size,
            sha256: sealed.sha256,
            file_name: attachment.file_name.clone(),
            chunk_count: sealed.chunk_count,
            sealed_chunks_sha256: sealed.sealed_chunks_sha256,
        };
        events.push(insert_metadata(
            conn,
            keys,
            &attachment.client_id,
            &stored,
            AuditAction::Imported,
        )?);
        Ok(())
    })?;
    if let Some(missing) = attachments.iter().find(|a| !seen.contains(&a.id)) {
        return Err(Error::rejected(
            format!(
                "{archive_name}/{}",
                archive_entry_name(&missing.id, missing.media_type)
            ),
            "the file is missing from the archive",
        ));
    }
    Ok(events)
}

/// The name an attachment's file has in an export's archive.
pub fn archive_entry_name(id: &str, media_type: MediaType) -> String {
    format!("{id}.{}", media_type.extension())
}

impl Vault {
    /// Attaches the file at `path` to a client: its size is checked before anything
    /// is read, its type from its first bytes, and it is sealed chunk by chunk.
    pub fn attach_file(&mut self, new: &NewAttachment, path: &Path) -> Result<Attachment> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let mut new = new.clone();
        if new.file_name.is_none() {
            new.file_name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        }
        self.attach(&new, &mut file, size)
    }

    /// Attaches `size` bytes read from `content` to a client (and a session of theirs,
    /// when named), in one transaction with its audit entry. A `consent` attachment
    /// sets the client's `consent_signed_on` to its document date in the same
    /// transaction, unless an earlier consent is already on file. A file over
    /// [`MAX_ATTACHMENT_BYTES`], empty, of another type than PDF, JPEG or PNG, or whose
    /// length is not `size` is refused, and nothing is written.
    pub fn attach(
        &mut self,
        new: &NewAttachment,
        content: &mut dyn Read,
        size: u64,
    ) -> Result<Attachment> {
        self.require_writable()?;
        if size > MAX_ATTACHMENT_BYTES {
            return Err(Refusal::AttachmentTooLarge {
                limit_mb: MAX_ATTACHMENT_BYTES / (1024 * 1024),
            }
            .into());
        }
        if size == 0 {
            return Err(Refusal::AttachmentEmpty.into());
        }
        let file_name = usable_name(new.file_name.as_deref());
        let title = checked_title(new, file_name.as_deref())?;
        // The first chunk tells the type: read before anything is written.
        let first_len = size.min(CHUNK_BYTES as u64) as usize;
        let mut first = Zeroizing::new(vec![0u8; first_len]);
        read_chunk(content, &mut first)?;
        let media_type =
            MediaType::detect(&first).ok_or(Error::Refused(Refusal::AttachmentTypeNotKept))?;
        let attached_at = Timestamp::now();
        let document_date = new.document_date.unwrap_or(Date(attached_at.local_date()));
        // A document dated ahead would, for a consent form, clear the consent finding
        // for sessions that came before anything was signed.
        if document_date.0 > attached_at.local_date() {
            return Err(Error::rejected(
                "/attachments/document_date",
                "the document's date is still ahead: give the date written on it",
            ));
        }
        let id = new_id();
        let client_id = new.client_id.clone();
        let session_id = new.session_id.clone();
        let kind = new.kind;
        let vault_id = self.vault_id().to_owned();
        let mut attached = None;
        self.modify_client_with(
            &client_id,
            NoteHistory::Automatic,
            |client| {
                if let Some(session) = &session_id
                    && client.session(session).is_none()
                {
                    return Err(Error::NotFound {
                        what: "session",
                        id: session.clone(),
                    });
                }
                // Consent on or before a session is what the rule asks; a later form
                // (consent renewed) must not make earlier sessions look unconsented.
                if let Some(born) = client.profile.date_of_birth
                    && document_date < born
                {
                    return Err(Error::rejected(
                        "/attachments/document_date",
                        "the document's date is before the client was born: give the date written on it",
                    ));
                }
                if kind == AttachmentKind::Consent
                    && client
                        .profile
                        .consent_signed_on
                        .is_none_or(|on| document_date < on)
                {
                    client.profile.consent_signed_on = Some(document_date);
                }
                Ok(())
            },
            |conn, keys, _| {
                let sealed = seal_content(conn, keys, &vault_id, &id, content, size, Some(first))?;
                let stored = StoredAttachment {
                    id: id.clone(),
                    session_id: session_id.clone(),
                    title: title.clone(),
                    kind,
                    document_date,
                    attached_at: attached_at.clone(),
                    media_type,
                    size,
                    sha256: sealed.sha256,
                    file_name: file_name.clone(),
                    chunk_count: sealed.chunk_count,
                    sealed_chunks_sha256: sealed.sealed_chunks_sha256,
                };
                let event = insert_metadata(conn, keys, &client_id, &stored, AuditAction::Created)?;
                attached = Some(stored.public(&client_id));
                Ok(vec![event])
            },
        )?;
        attached.ok_or_else(|| damaged_content(&id))
    }

    fn stored_attachment(&self, id: &str) -> Result<(RowMeta, StoredAttachment)> {
        if !store::exists(&self.conn, Table::Attachments)? {
            return Err(Error::NotFound {
                what: Table::Attachments.record_name(),
                id: id.to_owned(),
            });
        }
        let (meta, sealed) = store::require_row(&self.conn, Table::Attachments, id)?;
        let stored =
            self.keys
                .open_record::<StoredAttachment>(Table::Attachments, &meta, &sealed)?;
        Ok((meta, stored))
    }

    /// One attachment's metadata.
    pub fn attachment(&self, id: &str) -> Result<Attachment> {
        let (meta, stored) = self.stored_attachment(id)?;
        Ok(stored.public(meta.parent.as_deref().unwrap_or_default()))
    }

    /// Every attachment (of one client, when named), in the order attached.
    pub fn attachments(&self, client_id: Option<&str>) -> Result<Vec<Attachment>> {
        if !store::exists(&self.conn, Table::Attachments)? {
            return Ok(Vec::new());
        }
        if let Some(client) = client_id {
            store::require_row(&self.conn, Table::Clients, client)?;
        }
        store::load_rows(&self.conn, Table::Attachments, client_id)?
            .into_iter()
            .map(|(meta, sealed)| {
                let stored = self.keys.open_record::<StoredAttachment>(
                    Table::Attachments,
                    &meta,
                    &sealed,
                )?;
                Ok(stored.public(meta.parent.as_deref().unwrap_or_default()))
            })
            .collect()
    }

    /// Streams an attachment's content to `each`, one opened chunk at a time, checking
    /// every chunk's seal and, at the end, the size and hash of the whole.
    fn stream_attachment(
        &self,
        id: &str,
        mut each: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<Attachment> {
        let (meta, stored) = self.stored_attachment(id)?;
        let mut select = self.conn.prepare_cached(
            "SELECT sealed FROM attachment_chunks WHERE attachment_id = ?1 AND position = ?2",
        )?;
        let mut plain_digest = digest::Context::new(&digest::SHA256);
        let mut size = 0u64;
        for position in 0..stored.chunk_count {
            let sealed: Vec<u8> = select
                .query_row(params![id, position as i64], |r| r.get(0))
                .optional()?
                .ok_or_else(|| damaged_content(id))?;
            let ad = chunk_associated_data(self.vault_id(), id, position, stored.chunk_count);
            let plain = self
                .keys
                .data_key
                .open(&sealed, ad.as_bytes())
                .map_err(|_| damaged_content(id))?;
            plain_digest.update(&plain);
            size += plain.len() as u64;
            each(&plain)?;
        }
        if size != stored.size || hex(plain_digest.finish()) != stored.sha256 {
            return Err(damaged_content(id));
        }
        Ok(stored.public(meta.parent.as_deref().unwrap_or_default()))
    }

    /// Writes an attachment's content to `out`, chunk by chunk. What reaches `out` is
    /// authentic piece by piece; an error at the end (size or hash) means the whole
    /// must not be trusted.
    pub fn read_attachment(&self, id: &str, out: &mut dyn Write) -> Result<Attachment> {
        self.stream_attachment(id, |chunk| {
            out.write_all(chunk)
                .map_err(|e| Error::io("the attachment's destination", e))
        })
    }

    /// Saves an attachment out, unencrypted, to `path` (the rules of every file
    /// kapnotes writes: never over a vault, over another file only when confirmed),
    /// entered in the audit trail once whole on disk.
    pub fn save_attachment(&self, id: &str, path: &Path, overwrite: Overwrite) -> Result<PathBuf> {
        let output = OutputFile::begin(path, overwrite, Output::Plaintext { vault: self.path() })?;
        let attachment = output.write_with(|file| {
            self.stream_attachment(id, |chunk| {
                file.write_all(chunk).map_err(|e| Error::io(path, e))
            })
        })?;
        self.record_disclosure(
            AuditEvent::new(AuditAction::Exported)
                .client(&attachment.client_id)
                .record(Table::Attachments, id)
                .detail("attachment saved out, not encrypted"),
        )?;
        output.finish()
    }

    /// Removes an attachment and its content (SQLite's secure delete overwrites them),
    /// recorded as a deletion in the trail.
    pub fn detach(&mut self, id: &str) -> Result<Attachment> {
        self.require_writable()?;
        let (meta, stored) = self.stored_attachment(id)?;
        let client_id = meta.parent.clone().unwrap_or_default();
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM attachment_chunks WHERE attachment_id = ?1",
            [id],
        )?;
        store::delete(&tx, Table::Attachments, id)?;
        let event = AuditEvent::new(AuditAction::Deleted)
            .client(&client_id)
            .record(Table::Attachments, id)
            .detail(format!("{} detached", stored.kind.label()));
        super::audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        self.revisions.changed(&client_id);
        Ok(stored.public(&client_id))
    }
}

/// What is wrong with the attachments' content, as (record, message): a chunk
/// missing, added, altered or put back (against the digest each attachment's sealed
/// metadata holds), or chunks whose attachment is gone. With `open_chunks`, every
/// chunk is also opened and the whole checked against its size and hash (`verify`);
/// without, only the sealed bytes are hashed (the check at unlock). Attachments whose
/// metadata does not open are left out: they are reported as such elsewhere.
pub(crate) fn content_problems(
    conn: &Connection,
    keys: &Keys,
    open_chunks: bool,
) -> Result<Vec<(String, String)>> {
    if !store::exists(conn, Table::Attachments)? {
        return Ok(Vec::new());
    }
    let mut problems = Vec::new();
    let mut chunks = conn.prepare(
        "SELECT position, sealed FROM attachment_chunks WHERE attachment_id = ?1 ORDER BY position",
    )?;
    for (meta, sealed) in store::load_rows(conn, Table::Attachments, None)? {
        let Ok(stored) = keys.open_record::<StoredAttachment>(Table::Attachments, &meta, &sealed)
        else {
            continue;
        };
        let mut sealed_digest = SealedDigest::new();
        let mut plain_digest = digest::Context::new(&digest::SHA256);
        let mut size = 0u64;
        let mut expected = 0u64;
        let mut in_order = true;
        let mut opens = true;
        let mut rows = chunks.query([&meta.id])?;
        while let Some(row) = rows.next()? {
            let position: i64 = row.get(0)?;
            let sealed: Vec<u8> = row.get(1)?;
            in_order &= position == expected as i64;
            sealed_digest.add(&sealed);
            if open_chunks && opens {
                let ad =
                    chunk_associated_data(&keys.vault_id, &meta.id, expected, stored.chunk_count);
                match keys.data_key.open(&sealed, ad.as_bytes()) {
                    Ok(plain) => {
                        plain_digest.update(&plain);
                        size += plain.len() as u64;
                    }
                    Err(_) => opens = false,
                }
            }
            expected += 1;
        }
        let whole = in_order
            && expected == stored.chunk_count
            && sealed_digest.finish() == stored.sealed_chunks_sha256
            && (!open_chunks
                || (opens && size == stored.size && hex(plain_digest.finish()) == stored.sha256));
        if !whole {
            problems.push((
                format!("{CHUNKS}/{}", meta.id),
                format!(
                    "The content of the attachment {} is not as it was attached: a part of it was altered, removed, added or put back.",
                    meta.id
                ),
            ));
        }
    }
    let mut orphans = conn.prepare(
        "SELECT DISTINCT attachment_id FROM attachment_chunks
         WHERE attachment_id NOT IN (SELECT id FROM attachments) ORDER BY attachment_id",
    )?;
    for id in orphans.query_map([], |r| r.get::<_, String>(0))? {
        let id = id?;
        problems.push((
            format!("{CHUNKS}/{id}"),
            format!(
                "Content of an attachment {id} is in the vault without its attachment: it was added behind kapnotes' back."
            ),
        ));
    }
    Ok(problems)
}

/// Re-seals every attachment's chunks and metadata under `new` keys (a key rotation),
/// with the new digest of the chunks' sealed bytes. The caller records each
/// attachment's new sealed metadata in the trail.
pub(crate) fn reseal_all(conn: &Connection, old: &Keys, new: &Keys) -> Result<()> {
    if !store::exists(conn, Table::Attachments)? {
        return Ok(());
    }
    for (meta, sealed) in store::load_rows(conn, Table::Attachments, None)? {
        let mut stored = old.open_record::<StoredAttachment>(Table::Attachments, &meta, &sealed)?;
        let mut sealed_digest = SealedDigest::new();
        for position in 0..stored.chunk_count {
            let chunk: Vec<u8> = conn
                .prepare_cached(
                    "SELECT sealed FROM attachment_chunks WHERE attachment_id = ?1 AND position = ?2",
                )?
                .query_row(params![meta.id, position as i64], |r| r.get(0))
                .optional()?
                .ok_or_else(|| damaged_content(&meta.id))?;
            let plain = old
                .data_key
                .open(
                    &chunk,
                    chunk_associated_data(&old.vault_id, &meta.id, position, stored.chunk_count)
                        .as_bytes(),
                )
                .map_err(|_| damaged_content(&meta.id))?;
            let resealed = new.data_key.seal(
                &plain,
                chunk_associated_data(&new.vault_id, &meta.id, position, stored.chunk_count)
                    .as_bytes(),
            )?;
            sealed_digest.add(&resealed);
            conn.prepare_cached(
                "UPDATE attachment_chunks SET sealed = ?3 WHERE attachment_id = ?1 AND position = ?2",
            )?
            .execute(params![meta.id, position as i64, resealed])?;
        }
        stored.sealed_chunks_sha256 = sealed_digest.finish();
        let resealed = new.seal(Table::Attachments, &meta, &stored)?;
        store::replace_sealed(conn, Table::Attachments, &meta.id, &resealed)?;
    }
    Ok(())
}
