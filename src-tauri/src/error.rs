//! What a failed command returns to the front end: one plain sentence, and a kind only
//! where the UI does something other than show the sentence (ui/src/lib/ipc.ts's
//! `ERROR_KINDS` must name each `UiErrorKind` of the generated contract, or the UI does
//! not type-check). Never a Rust debug string.

use kapnotes::ErrorKind;
use serde::Serialize;

/// The failures the UI acts on; every other one it only shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UiErrorKind {
    /// The vault was locked meanwhile: the UI forgets what it showed.
    Locked,
    /// The clinician closed a dialog without choosing: nothing to say.
    Cancelled,
    /// The record is gone (deleted in another screen): the screen says so in place.
    NotFound,
    /// Unlocking: the passphrase field is selected for typing again.
    WrongPassphrase,
    Other,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CommandError {
    pub kind: UiErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn locked() -> Self {
        CommandError {
            kind: UiErrorKind::Locked,
            message: "The vault is locked. Unlock it to continue.".into(),
        }
    }

    pub fn cancelled() -> Self {
        CommandError {
            kind: UiErrorKind::Cancelled,
            message: "Nothing was chosen, so nothing was done.".into(),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        CommandError {
            kind: UiErrorKind::Other,
            message: message.into(),
        }
    }
}

impl From<kapnotes::Error> for CommandError {
    fn from(error: kapnotes::Error) -> Self {
        let kind = match error.kind() {
            ErrorKind::NotFound => UiErrorKind::NotFound,
            ErrorKind::WrongPassphrase => UiErrorKind::WrongPassphrase,
            ErrorKind::Rejected
            | ErrorKind::Integrity
            | ErrorKind::Busy
            | ErrorKind::Refused
            | ErrorKind::OutputRefused
            | ErrorKind::Internal
            | ErrorKind::Other => UiErrorKind::Other,
        };
        CommandError {
            kind,
            message: error.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
