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
    /// Nothing was written: the output path would replace a file (or a vault), or its
    /// folder is missing.
    OutputRefused,
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::WrongPassphrase,
        ErrorKind::Rejected,
        ErrorKind::Integrity,
        ErrorKind::Busy,
        ErrorKind::NotFound,
        ErrorKind::Refused,
        ErrorKind::OutputRefused,
        ErrorKind::Other,
    ];

    /// A stable lower-case code, shared with the desktop app's UI.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Busy => "busy",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Refused => "refused",
            ErrorKind::OutputRefused => "output_refused",
            ErrorKind::Other => "other",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("No vault was found at {}. Create one with `kapnotes init`, or give its path with --vault.", .0.display())]
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
        "The {table} record {id} failed its integrity check: it was altered or corrupted, so it is not shown. Restore the vault from a backup and run `kapnotes verify`."
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
        "This vault was written by a newer version of kapnotes (format {found}, this version reads up to {supported}). Update kapnotes to open it."
    )]
    NewerFormat { found: i64, supported: i64 },

    #[error(
        "The vault is open for writing in another kapnotes window or process. Close that one and try again."
    )]
    WriterBusy,

    #[error("This vault was opened for reading only; open it for writing to make changes.")]
    ReadOnly,

    #[error("Rejected {0}. Nothing was written.")]
    Rejected(Rejection),

    #[error("No {what} with id {id} is in this vault.")]
    NotFound { what: &'static str, id: String },

    #[error("This session is signed, so its note is locked. Add a dated addendum instead.")]
    SignedSessionLocked,

    #[error("{0}")]
    Refused(String),

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
            | Error::BackupDamaged { .. } => ErrorKind::Integrity,
            Error::WriterBusy => ErrorKind::Busy,
            Error::NotFound { .. } | Error::VaultNotFound(_) => ErrorKind::NotFound,
            Error::SignedSessionLocked | Error::Refused(_) | Error::ReadOnly => ErrorKind::Refused,
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
