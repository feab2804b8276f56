//! The `kapnotes` command line: commands, standard-input passphrases, files it writes,
//! and the documented exit codes.

use crate::common::*;
use crate::run_kapnotes;
use kapnotes::interchange;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn kapnotes(vault: &Path, args: &[&str], stdin: &str) -> Output {
    run_kapnotes(vault, args, stdin)
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn line(passphrase: &str) -> String {
    format!("{passphrase}\n")
}

#[test]
fn init_prints_a_recovery_key_that_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.kapnotes");
    let out = kapnotes(&vault, &["init"], "a good long passphrase\n");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let key = String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(key.split('-').count(), 8, "{key}");
    assert!(stderr(&out).contains("shown only this once"));
    assert_eq!(
        std::fs::metadata(&vault).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // init refuses to replace a vault.
    assert_eq!(
        code(&kapnotes(&vault, &["init"], "a good long passphrase\n")),
        8
    );

    let out = kapnotes(
        &vault,
        &["recover"],
        &format!("{key}\nnew passphrase here\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        code(&kapnotes(&vault, &["verify"], "new passphrase here\n")),
        0
    );
    assert_eq!(
        code(&kapnotes(
            &vault,
            &["recover"],
            "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH\nx y z w q r\n"
        )),
        3
    );
}

#[test]
fn passphrases_keep_their_spaces_and_only_lose_the_line_ending() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.kapnotes");
    let (v, _) =
        kapnotes::Vault::create_insecure_for_tests(&vault, " spaced  passphrase ").unwrap();
    drop(v);
    assert_eq!(
        code(&kapnotes(&vault, &["verify"], " spaced  passphrase \r\n")),
        0
    );
    assert_eq!(
        code(&kapnotes(&vault, &["verify"], "spaced  passphrase\n")),
        3
    );
    // No line at all is a usage error.
    assert_eq!(code(&kapnotes(&vault, &["verify"], "")), 2);
}

#[test]
fn import_export_and_records_requests() {
    let (tv, vault) = TestVault::new();
    drop(vault);
    let example = tv.file("example.json");
    std::fs::write(&example, EXAMPLE).unwrap();
    let out = kapnotes(
        &tv.path,
        &["import", example.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = kapnotes(&tv.path, &["export"], &line(PASSPHRASE));
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("NOT encrypted"));
    let mut exported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut canonical: serde_json::Value = serde_json::from_str(EXAMPLE_CANONICAL).unwrap();
    exported.as_object_mut().unwrap().remove("exported_at");
    canonical.as_object_mut().unwrap().remove("exported_at");
    assert_eq!(exported, canonical);

    let file = tv.file("request.json");
    let out = kapnotes(
        &tv.path,
        &["export", "--client", CLIENT, "-o", file.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("NOT encrypted"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("The Planner")
    );

    // A second import of the same document is rejected (its ids are in the vault).
    let out = kapnotes(
        &tv.path,
        &["import", example.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 4);
    assert!(stderr(&out).contains("/clients/0/id"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Nothing was written"));
    // So is a file that is not there.
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["import", "/nonexistent.json"],
            &line(PASSPHRASE)
        )),
        4
    );
}

#[test]
fn exit_codes_are_as_documented() {
    let (tv, vault) = TestVault::with_example();
    // A second writer is refused while the vault is open for writing (1)…
    let example = tv.file("example.json");
    std::fs::write(&example, EXAMPLE).unwrap();
    let out = kapnotes(
        &tv.path,
        &["import", example.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("open for writing"),
        "{}",
        stderr(&out)
    );
    // …but reading is not blocked.
    assert_eq!(code(&kapnotes(&tv.path, &["verify"], &line(PASSPHRASE))), 0);
    drop(vault);

    assert_eq!(
        code(&kapnotes(&tv.path, &["verify"], "wrong passphrase\n")),
        3
    );
    assert_eq!(code(&kapnotes(&tv.path, &["export", "--bogus"], "")), 2);
    assert_eq!(code(&kapnotes(&tv.path, &["backup"], "")), 2);

    // Tamper with a record: verify reports it (5) and so does a read that hits it.
    let conn = rusqlite::Connection::open(&tv.path).unwrap();
    conn.execute(
        "UPDATE sessions SET sealed = zeroblob(80) WHERE id = ?1",
        [DOSING],
    )
    .unwrap();
    drop(conn);
    let out = kapnotes(&tv.path, &["verify"], &line(PASSPHRASE));
    assert_eq!(code(&out), 5);
    assert!(String::from_utf8_lossy(&out.stdout).contains(DOSING));
    assert_eq!(code(&kapnotes(&tv.path, &["export"], &line(PASSPHRASE))), 5);

    let help = Command::new(env!("CARGO_BIN_EXE_kapnotes"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for needle in [
        "Exit codes",
        "3  wrong passphrase",
        "5  integrity failure",
        "8  refused",
        "backup",
        "restore",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
    // The README's table is the one reference: every code --help lists is in it.
    let readme = include_str!("../../../README.md");
    for code in 0..=8 {
        assert!(
            help.contains(&format!("\n  {code}  ")),
            "--help lacks {code}"
        );
        assert!(
            readme.contains(&format!("\n| {code} | ")),
            "README lacks {code}"
        );
    }
}

#[test]
fn passwd_backup_and_restore() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let backup = tv.file("monday.kapnotes");
    let out = kapnotes(&tv.path, &["backup", "-o", backup.to_str().unwrap()], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = kapnotes(
        &tv.path,
        &["passwd"],
        &format!("{PASSPHRASE}\nthe new passphrase\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        code(&kapnotes(&tv.path, &["verify"], "the new passphrase\n")),
        0
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["passwd"],
            "wrong one\nwhatever else\n"
        )),
        3
    );

    // restore refuses to overwrite a vault, and asks for the passphrase of the backup's day.
    let out = kapnotes(
        &tv.path,
        &["restore", backup.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 8);
    assert!(stderr(&out).contains("left untouched"));
    let target = tv.file("restored.kapnotes");
    assert_eq!(
        code(&kapnotes(
            &target,
            &["restore", backup.to_str().unwrap()],
            "the new passphrase\n"
        )),
        3
    );
    assert!(!target.exists());
    let out = kapnotes(
        &target,
        &["restore", backup.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&kapnotes(&target, &["verify"], &line(PASSPHRASE))), 0);

    let junk = tv.file("junk");
    std::fs::write(&junk, "hello").unwrap();
    assert_eq!(
        code(&kapnotes(
            &tv.file("x.kapnotes"),
            &["restore", junk.to_str().unwrap()],
            &line(PASSPHRASE)
        )),
        4
    );
}

#[test]
fn the_vault_path_can_come_from_the_environment() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kapnotes"))
        .arg("verify")
        .env("KAPNOTES_VAULT", &tv.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line(PASSPHRASE).as_bytes())
        .unwrap();
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn check_lists_findings_with_its_exit_codes() {
    let (tv, mut vault) = TestVault::new();
    let mut quiet = kapnotes::records::ClientProfile::new("Quiet client");
    quiet.created_at = crate::common::ts("2026-01-01T00:00:00+00:00");
    vault.create_client(quiet).unwrap();
    drop(vault);
    let out = kapnotes(
        &tv.path,
        &["check", "--as-of", "2026-05-10"],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut vault =
        kapnotes::Vault::unlock(&tv.path, PASSPHRASE, kapnotes::Access::ReadWrite).unwrap();
    interchange::import(&mut vault, EXAMPLE).unwrap();
    drop(vault);
    let out = kapnotes(
        &tv.path,
        &["check", "--as-of", "2026-05-10"],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("WARN") && printed.contains("consent-missing"),
        "{printed}"
    );
    assert!(
        printed.contains("NOTE") && printed.contains("note-unsigned"),
        "{printed}"
    );

    // A PHQ-9 with item 9 above zero is a stop.
    let mut vault =
        kapnotes::Vault::unlock(&tv.path, PASSPHRASE, kapnotes::Access::ReadWrite).unwrap();
    let mut measure = vault.measures(CLIENT).unwrap()[0].clone();
    measure.answers[8] = Some(1);
    vault.update_measure(measure).unwrap();
    drop(vault);
    let out = kapnotes(
        &tv.path,
        &["check", "--client", CLIENT, "--as-of", "2026-05-10"],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 7);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("STOP"),
        "stops come first"
    );

    assert_eq!(
        code(&kapnotes(&tv.path, &["check"], "wrong passphrase\n")),
        3
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["check", "--as-of", "10/05/2026"],
            &line(PASSPHRASE)
        )),
        2
    );
}

#[test]
fn a_new_recovery_key_and_a_rotated_data_key_from_the_command_line() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let out = kapnotes(&tv.path, &["recovery-key"], &line(PASSPHRASE));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let first = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(first.split('-').count(), 8);
    let out = kapnotes(&tv.path, &["rotate-key"], &line(PASSPHRASE));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("new data key"));
    let second = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_ne!(first, second);
    // The first key stopped working; the second recovers.
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["recover"],
            &format!("{first}\nanother passphrase\n")
        )),
        3
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["recover"],
            &format!("{second}\nanother passphrase\n")
        )),
        0
    );
    assert_eq!(
        code(&kapnotes(&tv.path, &["verify"], "another passphrase\n")),
        0
    );
    assert_eq!(
        code(&kapnotes(&tv.path, &["rotate-key"], "wrong passphrase\n")),
        3
    );
}

#[test]
fn audit_prints_the_trail_and_exits_5_when_it_was_tampered_with() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let out = kapnotes(&tv.path, &["export", "--client", CLIENT], &line(PASSPHRASE));
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = kapnotes(&tv.path, &["audit", "--client", CLIENT], &line(PASSPHRASE));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    // 15 rows, and the map's history started at the import: its start and a version of
    // each of 4 parts, 3 relationships and 1 agreement.
    assert_eq!(
        lines.len(),
        25,
        "an entry per imported row, then the export: {printed}"
    );
    assert!(lines[0].contains("imported client"), "{printed}");
    assert!(
        lines[24].contains("exported client") && lines[24].contains("psychotherapy notes left out"),
        "{printed}"
    );
    assert!(stderr(&out).contains("chain is whole"));

    let out = kapnotes(&tv.path, &["audit"], &line(PASSPHRASE));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("vault created")
    );

    rusqlite::Connection::open(&tv.path)
        .unwrap()
        .execute("DELETE FROM audit_entries WHERE position = 1", [])
        .unwrap();
    let out = kapnotes(&tv.path, &["audit"], &line(PASSPHRASE));
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(String::from_utf8(out.stdout).unwrap().contains("PROBLEM"));
    assert_eq!(code(&kapnotes(&tv.path, &["verify"], &line(PASSPHRASE))), 5);
}

#[test]
fn pdf_writes_each_document_with_the_usual_exit_codes() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    for (flag, id, name) in [
        ("--session", INTEGRATION, "note.pdf"),
        ("--prep-sheet", DOSING, "prep.pdf"),
        ("--client", CLIENT, "record.pdf"),
    ] {
        let path = tv.file(name);
        let out = kapnotes(
            &tv.path,
            &[
                "pdf",
                flag,
                id,
                "--paper",
                "letter",
                "-o",
                path.to_str().unwrap(),
            ],
            &line(PASSPHRASE),
        );
        assert_eq!(code(&out), 0, "{flag}: {}", stderr(&out));
        assert!(stderr(&out).contains("NOT encrypted"));
        assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-"));
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out_path = tv.file("x.pdf");
    let out = out_path.to_str().unwrap();
    assert_eq!(
        code(&kapnotes(&tv.path, &["pdf", "-o", out], &line(PASSPHRASE))),
        2
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["pdf", "--client", CLIENT, "--paper", "legal", "-o", out],
            &line(PASSPHRASE)
        )),
        2
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &[
                "pdf",
                "--session",
                INTEGRATION,
                "--client",
                CLIENT,
                "-o",
                out
            ],
            &line(PASSPHRASE)
        )),
        2
    );
    assert_eq!(
        code(&kapnotes(
            &tv.path,
            &["pdf", "--client", CLIENT, "-o", out],
            "wrong passphrase\n"
        )),
        3
    );
    let out = kapnotes(
        &tv.path,
        &["pdf", "--prep-sheet", INTEGRATION, "-o", out],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("dosing session"), "{}", stderr(&out));
    assert!(!out_path.exists(), "nothing written on failure");
}

#[test]
fn a_write_after_wrong_passphrases_says_someone_tried() {
    let (tv, vault) = TestVault::new();
    drop(vault);
    let example = tv.file("example.json");
    std::fs::write(&example, EXAMPLE).unwrap();
    assert_eq!(code(&kapnotes(&tv.path, &["verify"], "a wrong guess\n")), 3);
    let out = kapnotes(
        &tv.path,
        &["import", example.to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tried with a wrong passphrase or recovery key (1 failed attempt"),
        "{}",
        stderr(&out)
    );
}

/// The entries of one kind in the vault's trail.
fn entries_of(vault: &Path, action: kapnotes::vault::AuditAction) -> usize {
    let vault = kapnotes::Vault::unlock(vault, PASSPHRASE, kapnotes::Access::ReadOnly).unwrap();
    let trail = vault.audit_trail().unwrap();
    trail.entries.iter().filter(|e| e.action == action).count()
}

#[test]
fn no_mistyped_output_path_loses_the_vault_or_a_file() {
    use kapnotes::vault::AuditAction::{BackupTaken, DocumentWritten, Exported};
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let vault_bytes = std::fs::read(&tv.path).unwrap();
    let path = tv.path.to_str().unwrap();
    std::fs::create_dir(tv.file("sub")).unwrap();
    let through_parent = tv.file("sub/../vault.kapnotes");
    let link = tv.file("link.kapnotes");
    std::os::unix::fs::symlink(&tv.path, &link).unwrap();
    let wal = tv.file("vault.kapnotes-wal");
    for target in [
        path,
        through_parent.to_str().unwrap(),
        link.to_str().unwrap(),
        wal.to_str().unwrap(),
    ] {
        for force in [&[][..], &["--force"][..]] {
            for args in [
                &["export", "-o", target][..],
                &["export", "--client", CLIENT, "-o", target][..],
                &["pdf", "--client", CLIENT, "-o", target][..],
                &["backup", "-o", target][..],
            ] {
                let out = kapnotes(&tv.path, &[args, force].concat(), &line(PASSPHRASE));
                assert_eq!(code(&out), 8, "{args:?} {force:?}: {}", stderr(&out));
                assert!(
                    stderr(&out).contains("never writes over"),
                    "{}",
                    stderr(&out)
                );
            }
        }
    }
    assert_eq!(std::fs::read(&tv.path).unwrap(), vault_bytes);
    assert!(!wal.exists());
    assert_eq!(code(&kapnotes(&tv.path, &["verify"], &line(PASSPHRASE))), 0);
    assert_eq!(
        entries_of(&tv.path, Exported),
        0,
        "a refusal records nothing"
    );
    assert_eq!(entries_of(&tv.path, DocumentWritten), 0);

    // Another file: left byte for byte without --force, replaced with it.
    let letter = tv.file("letter.txt");
    let letter_path = letter.to_str().unwrap();
    for args in [
        &["export", "-o", letter_path][..],
        &["pdf", "--client", CLIENT, "-o", letter_path][..],
        &["backup", "-o", letter_path][..],
    ] {
        std::fs::write(&letter, b"mine").unwrap();
        let out = kapnotes(&tv.path, args, &line(PASSPHRASE));
        assert_eq!(code(&out), 8, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("left untouched"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&letter).unwrap(), b"mine");
        let out = kapnotes(&tv.path, &[args, &["--force"]].concat(), &line(PASSPHRASE));
        assert_eq!(code(&out), 0, "{args:?} --force: {}", stderr(&out));
        assert_ne!(std::fs::read(&letter).unwrap(), b"mine");
    }
    assert_eq!(entries_of(&tv.path, Exported), 1);
    assert_eq!(entries_of(&tv.path, DocumentWritten), 1);

    // An older backup of this vault: only with --force. Another vault's: never.
    let monday = tv.file("monday.kapnotes");
    let monday_path = monday.to_str().unwrap();
    assert_eq!(
        code(&kapnotes(&tv.path, &["backup", "-o", monday_path], "")),
        0
    );
    let out = kapnotes(&tv.path, &["backup", "-o", monday_path], "");
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let out = kapnotes(&tv.path, &["backup", "-o", monday_path, "--force"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let other = tv.file("other.kapnotes");
    drop(kapnotes::Vault::create_insecure_for_tests(&other, PASSPHRASE).unwrap());
    let other_backup = tv.file("other-backup.kapnotes");
    kapnotes::vault::backup_file(&other, &other_backup).unwrap();
    for target in [&other, &other_backup] {
        let before = std::fs::read(target).unwrap();
        let out = kapnotes(
            &tv.path,
            &["backup", "-o", target.to_str().unwrap(), "--force"],
            "",
        );
        assert_eq!(code(&out), 8, "{}", stderr(&out));
        assert_eq!(std::fs::read(target).unwrap(), before);
    }
    assert_eq!(
        entries_of(&tv.path, BackupTaken),
        0,
        "the CLI backup needs no passphrase"
    );

    // A missing folder is named, and not created.
    let missing = tv.file("no/such/folder");
    let inside = missing.join("out");
    for args in [
        &["export", "-o", inside.to_str().unwrap()][..],
        &["pdf", "--client", CLIENT, "-o", inside.to_str().unwrap()][..],
        &["backup", "-o", inside.to_str().unwrap()][..],
    ] {
        let out = kapnotes(&tv.path, args, &line(PASSPHRASE));
        assert_eq!(code(&out), 8, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(missing.to_str().unwrap()),
            "{}",
            stderr(&out)
        );
    }
    assert!(!tv.file("no").exists());

    // Standard output: entered in the trail once the whole text was written.
    let out = kapnotes(&tv.path, &["export"], &line(PASSPHRASE));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
    assert_eq!(entries_of(&tv.path, Exported), 2);
}

#[test]
fn on_a_damaged_trail_changes_exit_5_and_an_export_says_it_cannot_be_recorded() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    rusqlite::Connection::open(&tv.path)
        .unwrap()
        .execute("DELETE FROM audit_entries WHERE position = 3", [])
        .unwrap();
    let out = kapnotes(
        &tv.path,
        &["export", "-o", tv.file("rescue.json").to_str().unwrap()],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("audit trail is damaged")
            && stderr(&out).contains("cannot be recorded"),
        "{}",
        stderr(&out)
    );
    assert!(
        tv.file("rescue.json").exists(),
        "the records can be rescued"
    );
    let out = kapnotes(
        &tv.path,
        &["passwd"],
        &format!("{PASSPHRASE}\nanother passphrase\n"),
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let out = kapnotes(&tv.path, &["verify"], &line(PASSPHRASE));
    assert_eq!(code(&out), 5, "{}", stderr(&out));
}

#[test]
fn the_command_line_writes_the_then_and_now_page_and_refuses_a_bad_date() {
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    drop(vault);
    let out = tv.file("cli-record.pdf");
    let run = |date: &str| {
        run_kapnotes(
            &tv.path,
            &[
                "pdf",
                "--client",
                CLIENT,
                "--map-then",
                date,
                "-o",
                out.to_str().unwrap(),
            ],
            &format!("{PASSPHRASE}\n"),
        )
    };
    let bad = run("30/04/2026");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--map-then takes a date"));
    assert!(!out.exists());
    let good = run("2026-04-22");
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let text = std::process::Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("The system then and now"));
}

#[test]
fn an_acknowledged_warning_is_listed_apart_and_leaves_the_exit_code() {
    let (tv, mut vault) = TestVault::with_example();
    // Two more planned dosing sessions: the missing consent is then found on three.
    for day in ["2026-05-06", "2026-05-08"] {
        let mut session = dosing_session(day);
        session.status = kapnotes::records::SessionStatus::Planned;
        vault.create_session(CLIENT, session).unwrap();
    }
    let settings = vault.rule_settings().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-05-10T23:59:59+00:00").unwrap();
    let findings = kapnotes::rules::check_client(&vault.client(CLIENT).unwrap(), as_of, &settings);
    drop(vault);
    // The same finding on several sessions is one line.
    let out = kapnotes(
        &tv.path,
        &["check", "--as-of", "2026-05-10"],
        &line(PASSPHRASE),
    );
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    let groups = kapnotes::rules::group_findings(&findings);
    assert!(groups.len() < findings.len());
    assert_eq!(printed.lines().count(), groups.len(), "{printed}");
    let consent = printed
        .lines()
        .find(|l| l.contains("consent-missing"))
        .unwrap();
    assert!(
        consent.contains("No informed consent is on file before 3 dosing sessions."),
        "{consent}"
    );
    assert_eq!(
        consent.matches(',').count(),
        2,
        "three session ids: {consent}"
    );
    // Acknowledge every warning and note: check then exits 0, and --all lists them.
    for f in &findings {
        let out = kapnotes(
            &tv.path,
            &[
                "acknowledge",
                CLIENT,
                f.code,
                &f.record_id,
                "--reason",
                "Settled in supervision.",
                "--as-of",
                "2026-05-10",
            ],
            &line(PASSPHRASE),
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = kapnotes(
        &tv.path,
        &["check", "--as-of", "2026-05-10"],
        &line(PASSPHRASE),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    assert!(
        stderr(&out).contains("acknowledged (listed with --all)"),
        "{}",
        stderr(&out)
    );
    let out = kapnotes(
        &tv.path,
        &["check", "--as-of", "2026-05-10", "--all"],
        &line(PASSPHRASE),
    );
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(printed.starts_with("Acknowledged:"), "{printed}");
    assert!(printed.contains("Settled in supervision."), "{printed}");
    assert_eq!(printed.lines().count(), findings.len() + 1);
}

#[test]
fn a_stop_is_refused_acknowledgement_in_one_sentence() {
    let (tv, mut vault) = TestVault::with_example();
    let mut measure = vault.measures(CLIENT).unwrap()[0].clone();
    measure.answers[8] = Some(1);
    vault.update_measure(measure.clone()).unwrap();
    drop(vault);
    let out = kapnotes(
        &tv.path,
        &[
            "acknowledge",
            CLIENT,
            "phq9-item9-positive",
            &measure.id,
            "--reason",
            "x",
        ],
        &line(PASSPHRASE),
    );
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("A stop cannot be acknowledged"),
        "{}",
        stderr(&out)
    );
}
