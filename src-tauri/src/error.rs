//! What a failed command returns to the front end: one plain sentence, and a kind only
//! where the UI does something other than show the sentence (mirrored in
//! ui/src/lib/ipc.ts's `ERROR_KINDS`). Never a Rust debug string.

use kapnotes::ErrorKind;
use serde::Serialize;

/// The failures the UI acts on; every other one it only shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

impl UiErrorKind {
    #[cfg(test)]
    const ALL: [UiErrorKind; 5] = [
        UiErrorKind::Locked,
        UiErrorKind::Cancelled,
        UiErrorKind::NotFound,
        UiErrorKind::WrongPassphrase,
        UiErrorKind::Other,
    ];
}

#[derive(Debug, Serialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI's list of kinds is exactly the shell's, so it never matches on message text
    /// and never waits for a kind nobody sends.
    #[test]
    fn the_ui_knows_exactly_the_error_kinds_the_shell_sends() {
        let ipc = include_str!("../../ui/src/lib/ipc.ts");
        let start = ipc
            .find("export const ERROR_KINDS = [")
            .expect("ERROR_KINDS in ipc.ts");
        let list = &ipc[start..];
        let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
        let mut ui: Vec<String> = list
            .split(',')
            .map(|item| item.trim().trim_matches('\'').to_owned())
            .filter(|item| !item.is_empty())
            .collect();
        let mut shell: Vec<String> = UiErrorKind::ALL
            .iter()
            .map(|kind| {
                serde_json::to_value(kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        ui.sort();
        shell.sort();
        assert_eq!(ui, shell);
    }
}
