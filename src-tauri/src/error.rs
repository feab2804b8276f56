//! What a failed command returns to the front end: a stable kind (mirrored in
//! ui/src/lib/ipc.ts) and one plain sentence. Never a Rust debug string.

use serde::Serialize;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CommandError {
    pub kind: &'static str,
    pub message: String,
}

impl CommandError {
    pub fn locked() -> Self {
        CommandError {
            kind: "locked",
            message: "The vault is locked. Unlock it to continue.".into(),
        }
    }

    pub fn cancelled() -> Self {
        CommandError {
            kind: "cancelled",
            message: "Nothing was chosen, so nothing was done.".into(),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        CommandError {
            kind: "other",
            message: message.into(),
        }
    }
}

impl From<kapnotes::Error> for CommandError {
    fn from(error: kapnotes::Error) -> Self {
        CommandError {
            kind: error.kind().code(),
            message: error.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
