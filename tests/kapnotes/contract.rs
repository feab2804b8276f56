//! The error codes the core hands the desktop app are the ones its UI knows: the list in
//! ui/src/lib/ipc.ts must name every `ErrorKind` code (plus the shell's own `locked` and
//! `cancelled`), so the UI never has to match on message text.

use kapnotes::ErrorKind;

const IPC_TS: &str = include_str!("../../ui/src/lib/ipc.ts");
const SHELL_ERRORS: &str = include_str!("../../src-tauri/src/error.rs");

fn ui_error_kinds() -> Vec<String> {
    let start = IPC_TS
        .find("export const ERROR_KINDS = [")
        .expect("ERROR_KINDS in ipc.ts");
    let list = &IPC_TS[start..];
    let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
    list.split(',')
        .map(|item| item.trim().trim_matches('\'').to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn the_ui_knows_every_error_kind_the_core_and_shell_send() {
    let ui = ui_error_kinds();
    for kind in ErrorKind::ALL {
        assert!(
            ui.contains(&kind.code().to_owned()),
            "ipc.ts lacks the error kind {}",
            kind.code()
        );
    }
    for shell_kind in ["locked", "cancelled", "other"] {
        assert!(
            SHELL_ERRORS.contains(&format!("kind: \"{shell_kind}\"")),
            "the shell no longer sends {shell_kind}"
        );
        assert!(
            ui.contains(&shell_kind.to_owned()),
            "ipc.ts lacks the shell's kind {shell_kind}"
        );
    }
    let codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    for kind in &ui {
        assert!(
            codes.contains(&kind.as_str()) || ["locked", "cancelled"].contains(&kind.as_str()),
            "ipc.ts names an error kind nobody sends: {kind}"
        );
    }
}
