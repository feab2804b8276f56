//! `attach`, `attachments`, `detach`, `save-attachment` through the real binary.

use crate::common::*;
use crate::run_kapnotes;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const PASS: &str = "correct horse battery staple\n";

fn example_vault(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("v.kapnotes");
    let (mut vault, _) = kapnotes::Vault::create_insecure_for_tests(&path, PASSPHRASE).unwrap();
    kapnotes::interchange::import(&mut vault, EXAMPLE).unwrap();
    path
}

fn a_pdf(len: usize, marker: &str) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% {marker}\n").into_bytes();
    let mut i = 7u32;
    while bytes.len() < len {
        i = i.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        bytes.push((i >> 24) as u8);
    }
    bytes.truncate(len);
    bytes
}

/// The trail's entries other than unlocks (each command unlocks the vault).
fn trail_length(vault: &Path) -> usize {
    kapnotes::Vault::unlock(vault, PASSPHRASE, kapnotes::Access::ReadOnly)
        .unwrap()
        .audit_trail()
        .unwrap()
        .entries
        .iter()
        .filter(|e| e.action != kapnotes::vault::AuditAction::Unlocked)
        .count()
}

#[test]
fn attach_list_save_and_detach_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let vault = example_vault(dir.path());
    let file = dir.path().join("consent form.pdf");
    let bytes = a_pdf(600_000, "consent");
    std::fs::write(&file, &bytes).unwrap();

    let check = |vault: &Path| stdout(&run_kapnotes(vault, &["check", "--client", CLIENT], PASS));
    assert!(check(&vault).contains("No informed consent is on file"));

    let out = run_kapnotes(
        &vault,
        &[
            "attach",
            CLIENT,
            file.to_str().unwrap(),
            "--kind",
            "consent",
            "--date",
            "2026-01-12",
            "--session",
            PREPARATION,
        ],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    assert!(kapnotes::records::is_valid_id(&id), "{id}");
    assert!(stderr(&out).contains("NOT encrypted"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("signed on 2026-01-12"),
        "{}",
        stderr(&out)
    );
    assert!(!check(&vault).contains("No informed consent is on file"));

    let out = run_kapnotes(&vault, &["attachments", "--client", CLIENT], PASS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listed = stdout(&out);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let line = listed.lines().next().unwrap();
    assert!(line.starts_with(&id), "{line}");
    for word in [
        "2026-01-12",
        "consent",
        "pdf",
        "586 KB",
        "consent form",
        PREPARATION,
    ] {
        assert!(line.contains(word), "{word} in {line}");
    }

    let saved = dir.path().join("saved.pdf");
    let out = run_kapnotes(
        &vault,
        &["save-attachment", &id, "-o", saved.to_str().unwrap()],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("NOT encrypted"));
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    // Not over an existing file without --force, never over the vault.
    let out = run_kapnotes(
        &vault,
        &["save-attachment", &id, "-o", saved.to_str().unwrap()],
        PASS,
    );
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let out = run_kapnotes(
        &vault,
        &[
            "save-attachment",
            &id,
            "-o",
            saved.to_str().unwrap(),
            "--force",
        ],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_kapnotes(
        &vault,
        &[
            "save-attachment",
            &id,
            "-o",
            vault.to_str().unwrap(),
            "--force",
        ],
        PASS,
    );
    assert_eq!(code(&out), 8, "{}", stderr(&out));

    let out = run_kapnotes(&vault, &["detach", &id], PASS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_kapnotes(&vault, &["attachments"], PASS);
    assert_eq!(stdout(&out), "");
    let out = run_kapnotes(&vault, &["detach", &id], PASS);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(code(&run_kapnotes(&vault, &["verify"], PASS)), 0);
}

#[test]
fn what_cannot_be_attached_is_refused_in_a_sentence_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let vault = example_vault(dir.path());
    let before = trail_length(&vault);
    let big = dir.path().join("big.pdf");
    // Sparse: 25 MB and one byte, without writing them.
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(kapnotes::records::MAX_ATTACHMENT_BYTES + 1)
        .unwrap();
    drop(f);
    let out = run_kapnotes(&vault, &["attach", CLIENT, big.to_str().unwrap()], PASS);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("larger than 25 MB"),
        "{}",
        stderr(&out)
    );
    let text = dir.path().join("notes.pdf");
    std::fs::write(&text, "not a pdf at all").unwrap();
    let out = run_kapnotes(&vault, &["attach", CLIENT, text.to_str().unwrap()], PASS);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("Only PDF, JPEG and PNG"),
        "{}",
        stderr(&out)
    );
    let pdf = dir.path().join("ok.pdf");
    std::fs::write(&pdf, a_pdf(100, "ok")).unwrap();
    let out = run_kapnotes(
        &vault,
        &["attach", CLIENT, pdf.to_str().unwrap(), "--kind", "scan"],
        PASS,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = run_kapnotes(
        &vault,
        &[
            "attach",
            CLIENT,
            pdf.to_str().unwrap(),
            "--date",
            "12/01/2026",
        ],
        PASS,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = run_kapnotes(
        &vault,
        &[
            "attach",
            CLIENT,
            dir.path().join("missing.pdf").to_str().unwrap(),
        ],
        PASS,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(trail_length(&vault), before);
}

/// Every file under `folder` holding `marker`.
fn files_holding(folder: &Path, marker: &[u8], found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_holding(&path, marker, found),
            Ok(t) if t.is_file() => {
                let bytes = std::fs::read(&path).unwrap_or_default();
                if bytes.windows(marker.len()).any(|w| w == marker) {
                    found.push(path);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn no_byte_of_an_attached_file_is_on_disk_outside_the_sealed_chunks() {
    // The command runs with its own home and temporary folder, so both can be searched
    // whole; the file to attach sits apart.
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let tmp = work.path().join("tmp");
    let vault_dir = work.path().join("vault");
    for folder in [&home, &tmp, &vault_dir] {
        std::fs::create_dir(folder).unwrap();
    }
    let vault = example_vault(&vault_dir);
    let marker = format!("MARKER-{}-{}", kapnotes::records::new_id(), "attachment");
    let source_dir = tempfile::tempdir().unwrap();
    let source = source_dir.path().join(format!("{marker}.pdf"));
    // Four chunks and a bit, the marker at the start, across a chunk's end, and last.
    let mut bytes = a_pdf(4 * kapnotes::vault::CHUNK_BYTES + 1000, &marker);
    let boundary = kapnotes::vault::CHUNK_BYTES - 10;
    bytes.splice(boundary..boundary + marker.len(), marker.bytes());
    let end = bytes.len() - marker.len();
    bytes.splice(end.., marker.bytes());
    std::fs::write(&source, &bytes).unwrap();
    let backup = vault_dir.join("backup.kapnotes");
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kapnotes"))
            .arg("--vault")
            .arg(&vault)
            .args(args)
            .env_remove("KAPNOTES_VAULT")
            .env("HOME", &home)
            .env("TMPDIR", &tmp)
            .env("SQLITE_TMPDIR", &tmp)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(PASS.as_bytes());
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        out
    };
    let title = format!("Consent {marker}");
    let out = run(&[
        "attach",
        CLIENT,
        source.to_str().unwrap(),
        "--kind",
        "consent",
        "--title",
        &title,
    ]);
    let id = stdout(&out).trim().to_owned();
    run(&["attachments"]);
    run(&["verify"]);
    run(&["backup", "-o", backup.to_str().unwrap()]);
    // It is in the vault, sealed: it reads back whole.
    let reopened = kapnotes::Vault::unlock(&vault, PASSPHRASE, kapnotes::Access::ReadOnly).unwrap();
    let mut back = Vec::new();
    reopened.read_attachment(&id, &mut back).unwrap();
    assert_eq!(back, bytes);
    assert_eq!(reopened.attachment(&id).unwrap().title, title);
    drop(reopened);
    let mut found = Vec::new();
    for folder in [&vault_dir, &home, &tmp] {
        files_holding(folder, marker.as_bytes(), &mut found);
    }
    // A shorter run of the file's own bytes, from the middle of a chunk.
    let middle =
        &bytes[2 * kapnotes::vault::CHUNK_BYTES + 77..2 * kapnotes::vault::CHUNK_BYTES + 109];
    for folder in [&vault_dir, &home, &tmp] {
        files_holding(folder, middle, &mut found);
    }
    assert!(found.is_empty(), "the file's bytes are in {found:?}");
    assert!(backup.is_file() && vault.is_file());
}

#[test]
fn the_export_and_import_carry_the_attachments_archive() {
    let dir = tempfile::tempdir().unwrap();
    let vault = example_vault(dir.path());
    let file = dir.path().join("ecg.pdf");
    let bytes = a_pdf(300_000, "ecg");
    std::fs::write(&file, &bytes).unwrap();
    let out = run_kapnotes(
        &vault,
        &[
            "attach",
            CLIENT,
            file.to_str().unwrap(),
            "--kind",
            "lab_or_ecg",
        ],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Standard output has no room beside it for the archive.
    let out = run_kapnotes(&vault, &["export"], PASS);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("-o"), "{}", stderr(&out));
    // A records request without them still goes to standard output.
    let out = run_kapnotes(&vault, &["export", "--client", CLIENT], PASS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stdout(&out).contains("\"attachments"));
    let request = dir.path().join("request.json");
    let out = run_kapnotes(
        &vault,
        &[
            "export",
            "--client",
            CLIENT,
            "--include-attachments",
            "-o",
            request.to_str().unwrap(),
        ],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(dir.path().join("request.attachments.tar").is_file());
    assert!(stderr(&out).contains("NOT encrypted"));
    let whole = dir.path().join("whole.json");
    let out = run_kapnotes(&vault, &["export", "-o", whole.to_str().unwrap()], PASS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(dir.path().join("whole.attachments.tar").is_file());
    let other = dir.path().join("other.kapnotes");
    drop(kapnotes::Vault::create_insecure_for_tests(&other, PASSPHRASE).unwrap());
    let out = run_kapnotes(&other, &["import", whole.to_str().unwrap()], PASS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_kapnotes(&other, &["attachments"], PASS);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    let id = stdout(&out).split_whitespace().next().unwrap().to_owned();
    let saved = dir.path().join("back.pdf");
    let out = run_kapnotes(
        &other,
        &["save-attachment", &id, "-o", saved.to_str().unwrap()],
        PASS,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    // Without its archive, the document is refused and nothing is imported.
    std::fs::remove_file(dir.path().join("whole.attachments.tar")).unwrap();
    let third = dir.path().join("third.kapnotes");
    drop(kapnotes::Vault::create_insecure_for_tests(&third, PASSPHRASE).unwrap());
    let out = run_kapnotes(&third, &["import", whole.to_str().unwrap()], PASS);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("whole.attachments.tar"),
        "{}",
        stderr(&out)
    );
}
