//! The errors a clinician (or a script) can meet, each one plain sentence that says what
//! to do. No error carries clinical text: at most a record's id, a table name, or the
//! JSON path of a rejected value.

use std::path::PathBuf;

/// Input that was refused, with the place it was found (a JSON pointer such as
/// `/clients/0/sessions/2/dose/mg`, empty for the whole document) and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub path: String,
    pub rule: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.rule)
        } else {
            write!(f, "at {}: {}", self.path, self.rule)
        }
    }
}

/// Stable categories of error, for exit codes and for the desktop app's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    WrongPassphrase,
    Rejected,
    Integrity,
    Busy,
    NotFound,
    Refused,
    /// Something inside kapnotes failed that the clinician cannot fix (a bug or a
    /// damaged installation); nothing was written.
    Internal,
    /// Nothing was written: the output path would replace a file (or a vault), or its
    /// folder is missing.
    OutputRefused,
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::WrongPassphrase,
        ErrorKind::Rejected,
        ErrorKind::Integrity,
        ErrorKind::Busy,
        ErrorKind::NotFound,
        ErrorKind::Refused,
        ErrorKind::OutputRefused,
        ErrorKind::Internal,
        ErrorKind::Other,
    ];

    /// A stable lower-case code (the command line's exit code and the desktop shell's
    /// error kinds are chosen from the kind).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Busy => "busy",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Refused => "refused",
            ErrorKind::OutputRefused => "output_refused",
            ErrorKind::Internal => "internal",
            ErrorKind::Other => "other",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("No vault was found at {}. Create a vault there, or check the path.", .0.display())]
    VaultNotFound(PathBuf),

    #[error("A file already exists at {}; it was left untouched. Choose another path.", .0.display())]
    AlreadyExists(PathBuf),

    #[error("{} is a kapnotes vault or backup, or one of its files; kapnotes never writes over one. Choose another file name.", .0.display())]
    WouldReplaceVault(PathBuf),

    #[error("A file already exists at {}; it was left untouched. Choose another name, or confirm that it should be replaced.", .0.display())]
    OutputExists(PathBuf),

    #[error("The folder {} does not exist; create it first or choose another folder.", .0.display())]
    FolderMissing(PathBuf),

    #[error("{} is a folder; choose a file name inside it.", .0.display())]
    OutputIsFolder(PathBuf),

    #[error("{} is not a kapnotes vault or backup, or it is damaged beyond use. Check that you chose the right file.", .0.display())]
    NotAVault(PathBuf),

    #[error("The passphrase is not right. Nothing was changed; try again.")]
    WrongPassphrase,

    #[error(
        "The recovery key is not right for this vault. Check each group of four characters and try again."
    )]
    WrongRecoveryKey,

    #[error(
        "That is not a recovery key: it is eight groups of four letters and digits, such as ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567."
    )]
    MalformedRecoveryKey,

    #[error(
        "The new passphrase is too short: use at least {min} characters (several unrelated words are easy to remember and hard to guess)."
    )]
    WeakPassphrase { min: usize },

    #[error(
        "The {table} record {id} failed its integrity check: it was altered or corrupted, so it is not shown. Restore the vault from a backup that verifies."
    )]
    TamperedRecord { table: &'static str, id: String },

    #[error(
        "The backup is damaged or was altered ({problems} problem(s) found, the first: {first}). Nothing was restored; try an older backup."
    )]
    BackupDamaged { problems: usize, first: String },

    #[error(
        "The vault's header is damaged or was altered ({detail}). Restore the vault from a backup."
    )]
    DamagedHeader { detail: &'static str },

    #[error(
        "The vault's audit trail is damaged or was altered ({detail}), so nothing more can be recorded: changes are refused, while every record can still be read and exported. Restore a backup that verifies."
    )]
    DamagedTrail { detail: String },

    #[error(
        "The backup copy just made failed SQLite's integrity check, so it was not kept. Try again; if it fails again, check the vault and restore a backup that verifies."
    )]
    BackupCopyDamaged,

    #[error(
        "This vault was written by a newer version of kapnotes (format {found}, this version reads up to {supported}). Update kapnotes to open it."
    )]
    NewerFormat { found: i64, supported: i64 },

    #[error(
        "The vault is open for writing in another kapnotes window or process. Close that one and try again."
    )]
    WriterBusy,

    #[error("Rejected {0}. Nothing was written.")]
    Rejected(Rejection),

    #[error("No {what} with id {id} is in this vault.")]
    NotFound { what: &'static str, id: String },

    /// A change or request the clinician can act on, refused before anything was written.
    #[error(transparent)]
    Refused(#[from] Refusal),

    /// A failure inside kapnotes; nothing was written.
    #[error(transparent)]
    Internal(#[from] Internal),

    #[error(
        "The vault file could not be read or written ({0}). Check that the disk is not full and that you may write to the folder."
    )]
    Storage(rusqlite::Error),

    #[error(
        "The vault file is damaged or was altered: part of it is not as kapnotes wrote it, so it is not read. Restore the vault from a backup."
    )]
    DamagedFile,

    #[error("{} could not be used ({source}). Check the path and its permissions.", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "The system's random number generator failed, so nothing was encrypted or written. Restart the computer and try again."
    )]
    Random,
}

/// What a clinician asked for that kapnotes refuses, and why, in one sentence that says
/// what to do instead. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    #[error("This vault was opened for reading only; open it for writing to make changes.")]
    ReadOnly,

    #[error("This session is signed, so its note is locked. Add a dated addendum instead.")]
    SignedSessionLocked,

    #[error("This session is signed, so it is part of the permanent record and cannot be deleted.")]
    SignedSessionPermanent,

    #[error("This session is already signed.")]
    AlreadySigned,

    #[error("A planned session cannot be signed: mark it completed, held off or cancelled first.")]
    PlannedSessionUnsignable,

    #[error("Addenda are for signed notes; this note is not signed yet, so edit it directly.")]
    AddendumToUnsignedNote,

    /// `by`: the records that refer to it, in words ("the check-in of 2026-03-01").
    #[error(
        "This {what} cannot be deleted because {by} still refers to it. Remove that reference first."
    )]
    StillReferenced { what: &'static str, by: String },

    #[error(
        "This client has signed session notes, which are permanent records, so the client can only be archived."
    )]
    ClientHasSignedNotes,

    #[error("A client's id cannot be changed.")]
    ClientIdChanged,

    #[error("That file is the vault itself, not a backup of it. Choose a backup file.")]
    BackupIsTheVault,

    #[error("The vault file was replaced while it was open; lock and unlock it again.")]
    VaultReplacedWhileOpen,

    #[error("A preparation sheet is made for a dosing session; choose a dosing session.")]
    PrepSheetNeedsDosingSession,

    #[error("A stop cannot be acknowledged: settle what it names, and it clears by itself.")]
    StopNotAcknowledgeable,

    #[error(
        "An overdue amendment request cannot be acknowledged: its deadline is the law's; decide the request."
    )]
    DeadlineNotAcknowledgeable,

    #[error("A finding can be acknowledged as of today or an earlier day, not a day still ahead.")]
    AcknowledgedAhead,

    #[error(
        "That finding is not raised for this client now, so there is nothing to acknowledge; look at the findings again."
    )]
    FindingNotRaised,

    #[error("This amendment request is already decided; an accepted request stays as it is.")]
    AmendmentAlreadyDecided,

    #[error("This amendment request was already extended once, and only one extension is allowed.")]
    AmendmentAlreadyExtended,

    /// `due`: the 60th day after the request was received.
    #[error(
        "An extension must be recorded before the decision is due on {due}; decide the request now."
    )]
    AmendmentExtensionTooLate { due: String },

    #[error(
        "An extension moves the due date past {due} by at most 30 days: choose a date up to {latest}."
    )]
    AmendmentExtensionTooLong { due: String, latest: String },

    #[error(
        "An accepted request about a note is made with an addendum, and one about a profile field with the corrected value."
    )]
    AmendmentChangeMismatch,
    #[error(
        "This client's records must be kept until {until}; they can be disposed of after that day."
    )]
    RetentionNotOver { until: String },

    #[error(
        "This client has an amendment request still undecided; decide it before disposing of their records."
    )]
    AmendmentRequestOpen,
    /// `limit_mb`: the largest file kept, in megabytes.
    #[error(
        "This file is larger than {limit_mb} MB, so it was not attached; scan it at a lower resolution or split it, then attach it again."
    )]
    AttachmentTooLarge { limit_mb: u64 },

    #[error("This file is empty, so it was not attached; choose the file again.")]
    AttachmentEmpty,

    #[error(
        "Only PDF, JPEG and PNG files can be attached, and this file is none of them; save or scan it as a PDF, then attach it again."
    )]
    AttachmentTypeNotKept,

    #[error(
        "The file changed while it was being attached, so nothing was kept; attach it again once it is saved."
    )]
    AttachmentChangedWhileRead,

    #[error(
        "This PDF cannot be shown here (it is password-protected, damaged or of a kind kapnotes cannot draw); save it out to open it in another program."
    )]
    AttachmentNotViewable,
}

/// A failure inside kapnotes that no choice of the clinician's could have avoided (a
/// bug, or a damaged installation). Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Internal {
    /// `what`: the record or document that could not be encoded ("the record").
    #[error(
        "kapnotes could not encode {what}, so nothing was written. Please report this problem."
    )]
    Encoding { what: &'static str },

    #[error("The interchange schema built into kapnotes is damaged; reinstall kapnotes.")]
    SchemaDamaged,

    #[error("The fonts built into kapnotes could not be loaded; reinstall kapnotes.")]
    FontDamaged,

    /// `detail`: the PDF library's words, never clinical text.
    #[error(
        "kapnotes could not make the document ({detail}), so nothing was written. Please report this problem."
    )]
    Document { detail: String },

    #[error(
        "A setting was written but could not be read back, so the change was undone. Try again; if it fails again, check the vault."
    )]
    SettingNotReadBack,

    #[error(
        "kapnotes could not start checking the vault ({detail}). Lock and unlock it to check it again."
    )]
    CheckNotStarted { detail: String },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::WrongPassphrase | Error::WrongRecoveryKey | Error::MalformedRecoveryKey => {
                ErrorKind::WrongPassphrase
            }
            Error::Rejected(_) | Error::NotAVault(_) | Error::WeakPassphrase { .. } => {
                ErrorKind::Rejected
            }
            Error::TamperedRecord { .. }
            | Error::DamagedHeader { .. }
            | Error::DamagedTrail { .. }
            | Error::DamagedFile
            | Error::BackupDamaged { .. }
            | Error::BackupCopyDamaged => ErrorKind::Integrity,
            Error::WriterBusy => ErrorKind::Busy,
            Error::NotFound { .. } | Error::VaultNotFound(_) => ErrorKind::NotFound,
            Error::Refused(_) => ErrorKind::Refused,
            Error::Internal(_) => ErrorKind::Internal,
            Error::AlreadyExists(_)
            | Error::WouldReplaceVault(_)
            | Error::OutputExists(_)
            | Error::FolderMissing(_)
            | Error::OutputIsFolder(_) => ErrorKind::OutputRefused,
            Error::NewerFormat { .. } | Error::Storage(_) | Error::Io { .. } | Error::Random => {
                ErrorKind::Other
            }
        }
    }

    pub(crate) fn rejected(path: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::Rejected(Rejection {
            path: path.into(),
            rule: rule.into(),
        })
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for Error {
    /// SQLite's word that the file is corrupt, or a value of another type than the
    /// schema's where kapnotes reads it, is damage to the file (restore a backup), not
    /// a full disk.
    fn from(error: rusqlite::Error) -> Self {
        let damaged = matches!(
            error,
            rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::Utf8Error(..)
        ) || error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt)
            // SQLite's own header names a file format it does not know.
            || matches!(&error, rusqlite::Error::SqliteFailure(_, Some(message))
                if message.contains("unsupported file format"));
        if damaged {
            Error::DamagedFile
        } else {
            Error::Storage(error)
        }
    }
}

impl From<crate::crypto::RandomFailure> for Error {
    fn from(_: crate::crypto::RandomFailure) -> Self {
        Error::Random
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    /// The app shows these sentences too, so none may send the clinician to a command.
    #[test]
    fn no_message_names_a_command_line_command() {
        let source = include_str!("error.rs");
        let messages = &source[..source.find("#[cfg(test)]").unwrap()];
        assert!(!messages.contains("`kapnotes"));
        assert!(!messages.contains("--vault"));
    }
}
