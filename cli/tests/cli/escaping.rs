//! Text stored by an older kapnotes (or written into the file) reaches the terminal
//! escaped: no control sequence or direction override is printed as it is.

use crate::common::*;
use crate::run_kapnotes;
use kapnotes::interchange;
use kapnotes::interchange::text::as_an_older_version_for_tests as as_an_older_version;
use serde_json::{Value, json};
use std::process::Output;

/// The canonical example (every key present), so paths can be written out in full.
fn example() -> Value {
    serde_json::from_str(EXAMPLE_CANONICAL).unwrap()
}

fn run_cli(vault: &std::path::Path, args: &[&str]) -> Output {
    run_kapnotes(vault, args, &format!("{PASSPHRASE}\n"))
}

const TITLE_SEQUENCE: &str = "\u{1b}]0;owned\u{7}";

#[test]
fn check_prints_a_stored_name_escaped() {
    let (tv, mut vault) = TestVault::new();
    let mut doc = example();
    doc["clients"][0]["display_name"] = json!(format!("{TITLE_SEQUENCE}J.R.\u{202E}"));
    as_an_older_version(|| interchange::import(&mut vault, &doc.to_string())).unwrap();
    drop(vault);
    let out = run_cli(&tv.path, &["check", "--as-of", "2026-07-01"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("J.R."), "check printed findings: {stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}') && !stdout.contains('\u{202E}')
    );
    assert!(
        stdout.contains(r"\u{1b}]0;owned\u{7}J.R.\u{202e}"),
        "{stdout}"
    );
}

#[test]
fn audit_prints_a_stored_detail_escaped() {
    let (tv, vault) = TestVault::with_example();
    // A backup's file name is kept in the trail as given.
    vault
        .backup_to(
            &tv.file(&format!("{TITLE_SEQUENCE}copy.kapnotes")),
            kapnotes::vault::Overwrite::Refuse,
        )
        .unwrap();
    drop(vault);
    let out = run_cli(&tv.path, &["audit"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
    assert!(
        stdout.contains(r"\u{1b}]0;owned\u{7}copy.kapnotes"),
        "{stdout}"
    );
}

#[test]
fn verify_prints_a_row_id_written_into_the_file_escaped() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    // Someone with the file but not the passphrase renames a row.
    let conn = rusqlite::Connection::open(&tv.path).unwrap();
    conn.execute(
        "UPDATE parts SET id = ?1 WHERE id = ?2",
        rusqlite::params![format!("{TITLE_SEQUENCE}x"), PLANNER],
    )
    .unwrap();
    drop(conn);
    let out = run_cli(&tv.path, &["verify"]);
    assert_eq!(out.status.code(), Some(5));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(r"\u{1b}]0;owned\u{7}x"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
}

#[test]
fn an_error_prints_a_key_from_the_document_escaped() {
    let (tv, vault) = TestVault::new();
    drop(vault);
    let file = tv.file("doc.json");
    // The key is written with JSON escapes; parsed, it holds ESC and BEL.
    std::fs::write(
        &file,
        r#"{"\u001b]0;owned\u0007": 1, "\u001b]0;owned\u0007": 2}"#,
    )
    .unwrap();
    let out = run_cli(&tv.path, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(r"at /\u{1b}]0;owned\u{7}: this key is written twice"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr}"
    );
}
