//! A file kept with a client's record (a signed consent form, a prescriber's letter, a
//! lab result or ECG): what the vault says of it. Its content is sealed apart, in
//! chunks (src/vault/attachments.rs); this is the metadata, sealed as one record.

use super::{Date, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// The largest file kapnotes keeps: a scanned multi-page form fits well below it.
pub const MAX_ATTACHMENT_BYTES: u64 = 25 * 1024 * 1024;

/// What the document is to the clinician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// Informed consent: its document date is the client's `consent_signed_on`.
    Consent,
    PrescriberLetter,
    LabOrEcg,
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 4] = [
        AttachmentKind::Consent,
        AttachmentKind::PrescriberLetter,
        AttachmentKind::LabOrEcg,
        AttachmentKind::Other,
    ];

    /// The word the interchange and the command line use (`lab_or_ecg`).
    pub fn code(self) -> &'static str {
        match self {
            AttachmentKind::Consent => "consent",
            AttachmentKind::PrescriberLetter => "prescriber_letter",
            AttachmentKind::LabOrEcg => "lab_or_ecg",
            AttachmentKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<AttachmentKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// How the kind reads in lists.
    pub fn label(self) -> &'static str {
        match self {
            AttachmentKind::Consent => "informed consent",
            AttachmentKind::PrescriberLetter => "prescriber's letter",
            AttachmentKind::LabOrEcg => "lab result or ECG",
            AttachmentKind::Other => "other document",
        }
    }
}

/// The file types kapnotes keeps, told by their content, never by their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum MediaType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl MediaType {
    /// The type of a file from its first bytes (its signature), or `None` for any
    /// other kind of file.
    pub fn detect(start: &[u8]) -> Option<MediaType> {
        if start.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if start.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if start.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// The file name extension a saved copy gets.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }
}

/// One attachment, as listed and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub id: Id,
    pub client_id: Id,
    /// A session it belongs to, if any.
    pub session_id: Option<Id>,
    pub title: String,
    pub kind: AttachmentKind,
    /// The date on the document (a consent form's signature date).
    pub document_date: Date,
    pub attached_at: Timestamp,
    pub media_type: MediaType,
    /// The file's size in bytes.
    #[cfg_attr(feature = "typescript", ts(type = "number"))]
    pub size: u64,
    /// SHA-256 of the file's content, in lower-case hex.
    pub sha256: String,
    /// The name the file had when attached (clinical text: a name can hold the
    /// client's), kept sealed for saving it out under the same name.
    pub file_name: Option<String>,
}
