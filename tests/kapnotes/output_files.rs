//! Files written for the clinician (exports, PDFs, backups): never over a vault, a
//! vault's side file or a backup, over any other file only when confirmed, never into
//! a missing folder, and entered in the audit trail only once whole on disk.

use crate::common::*;
use kapnotes::documents::{DocumentRequest, Paper};
use kapnotes::vault::{Overwrite, backup_file, restore_backup, write_backup};
use kapnotes::{Access, Error, ErrorKind, ExportScope, Vault};
use kapnotes::{documents, interchange};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const OLD_CONTENT: &[u8] = b"a letter to a colleague, not to be lost";

fn trail_length(vault: &Vault) -> usize {
    vault.audit_trail().unwrap().entries.len()
}

fn client_request() -> ExportScope {
    ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: false,
    }
}

fn record_pdf() -> DocumentRequest {
    DocumentRequest::ClientRecord {
        client_id: CLIENT.into(),
        include_psychotherapy_notes: false,
        map_then: None,
    }
}

/// Every way the vault's own files can be named: the file, through `..`, through a
/// symbolic link, and its side files (whether or not they exist right now).
fn names_of_the_vault(tv: &TestVault) -> Vec<PathBuf> {
    std::fs::create_dir(tv.file("sub")).unwrap();
    let link = tv.file("link-to-vault.kapnotes");
    std::os::unix::fs::symlink(&tv.path, &link).unwrap();
    let mut names = vec![tv.path.clone(), tv.file("sub/../vault.kapnotes"), link];
    for suffix in ["-wal", "-shm", "-journal", ".lock"] {
        names.push(tv.file(&format!("vault.kapnotes{suffix}")));
    }
    names
}

/// The file at `path`, or None: to compare before and after.
fn bytes_at(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

fn assert_no_leftovers(folder: &Path) {
    let partials: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".partial-"))
        .collect();
    assert!(partials.is_empty(), "temporary files left: {partials:?}");
}

#[test]
fn nothing_is_written_over_the_open_vault_or_its_side_files() {
    let (tv, vault) = TestVault::with_example();
    let expected = export_value(&vault);
    let entries = trail_length(&vault);
    for name in names_of_the_vault(&tv) {
        let before = bytes_at(&name);
        for overwrite in [Overwrite::Refuse, Overwrite::Confirmed] {
            for scope in [ExportScope::Everything, client_request()] {
                let err =
                    interchange::export_to_file(&vault, &scope, &name, overwrite).unwrap_err();
                assert!(
                    matches!(err, Error::WouldReplaceVault(_)),
                    "{}: {err}",
                    name.display()
                );
                assert_eq!(err.kind(), ErrorKind::OutputRefused);
            }
            let err = documents::write_document(&vault, &record_pdf(), Paper::A4, &name, overwrite)
                .unwrap_err();
            assert!(
                matches!(err, Error::WouldReplaceVault(_)),
                "{}: {err}",
                name.display()
            );
            let err = vault.backup_to(&name, overwrite).unwrap_err();
            assert!(
                matches!(err, Error::WouldReplaceVault(_)),
                "{}: {err}",
                name.display()
            );
            let err = write_backup(&tv.path, &name, overwrite).unwrap_err();
            assert!(
                matches!(err, Error::WouldReplaceVault(_)),
                "{}: {err}",
                name.display()
            );
        }
        if !name.ends_with("vault.kapnotes-wal") && !name.ends_with("vault.kapnotes-shm") {
            // SQLite itself writes those two while the vault is open.
            assert_eq!(bytes_at(&name), before, "{} changed", name.display());
        }
    }
    assert_eq!(
        trail_length(&vault),
        entries,
        "a refused write records nothing"
    );
    assert_eq!(export_value(&vault), expected);
    assert!(vault.verify().unwrap().is_clean());
    drop(vault);
    let reopened = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(export_value(&reopened), expected);
    assert!(!contains(&read_all_bytes(&tv.path), b"The Planner"));
    assert_no_leftovers(tv.dir.path());
}

#[test]
fn a_vault_just_created_is_recognised_while_its_content_is_in_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.kapnotes");
    let (vault, _) = Vault::create_insecure_for_tests(&path, PASSPHRASE).unwrap();
    let other = dir.path().join("other.kapnotes");
    let (other_vault, _) = Vault::create_insecure_for_tests(&other, PASSPHRASE).unwrap();
    let err = interchange::export_to_file(
        &other_vault,
        &ExportScope::Everything,
        &path,
        Overwrite::Confirmed,
    )
    .unwrap_err();
    assert!(matches!(err, Error::WouldReplaceVault(_)), "{err}");
    drop(other_vault);
    drop(vault);
    assert!(Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).is_ok());
}

#[test]
fn nothing_is_written_over_another_vault_or_its_backups() {
    let (tv, vault) = TestVault::with_example();
    let other = tv.file("other-practice.kapnotes");
    let (other_vault, _) = Vault::create_insecure_for_tests(&other, PASSPHRASE).unwrap();
    drop(other_vault);
    let other_backup = tv.file("other-practice-backup.kapnotes");
    backup_file(&other, &other_backup).unwrap();
    // Another vault's side file, by its name alone (it is closed: none exists).
    let other_log = tv.file("other-practice.kapnotes-wal");
    let entries = trail_length(&vault);
    for target in [&other, &other_backup, &other_log] {
        let before = bytes_at(target);
        for overwrite in [Overwrite::Refuse, Overwrite::Confirmed] {
            for err in [
                interchange::export_to_file(&vault, &ExportScope::Everything, target, overwrite)
                    .unwrap_err(),
                documents::write_document(&vault, &record_pdf(), Paper::A4, target, overwrite)
                    .unwrap_err(),
                vault.backup_to(target, overwrite).unwrap_err(),
                write_backup(&tv.path, target, overwrite).unwrap_err(),
            ] {
                assert!(
                    matches!(err, Error::WouldReplaceVault(_)),
                    "{}: {err}",
                    target.display()
                );
            }
        }
        assert_eq!(bytes_at(target), before);
    }
    assert_eq!(trail_length(&vault), entries);
    assert!(Vault::unlock(&other, PASSPHRASE, Access::ReadOnly).is_ok());
    assert_no_leftovers(tv.dir.path());
}

#[test]
fn only_a_confirmed_backup_replaces_an_older_backup_of_the_same_vault() {
    let (tv, mut vault) = TestVault::with_example();
    let older = tv.file("monday.kapnotes");
    vault.backup_to(&older, Overwrite::Refuse).unwrap();
    vault
        .create_session(CLIENT, dosing_session("2026-08-03"))
        .unwrap();
    let sessions_now = vault.sessions(CLIENT).unwrap().len();
    let before = std::fs::read(&older).unwrap();
    let entries = trail_length(&vault);

    // Not asked: left as it is, and the refusal says it can be confirmed.
    let err = vault.backup_to(&older, Overwrite::Refuse).unwrap_err();
    assert!(matches!(err, Error::OutputExists(_)), "{err}");
    let err = write_backup(&tv.path, &older, Overwrite::Refuse).unwrap_err();
    assert!(matches!(err, Error::OutputExists(_)), "{err}");
    // Plaintext never goes over a backup, confirmed or not.
    for overwrite in [Overwrite::Refuse, Overwrite::Confirmed] {
        let err = interchange::export_to_file(&vault, &ExportScope::Everything, &older, overwrite)
            .unwrap_err();
        assert!(matches!(err, Error::WouldReplaceVault(_)), "{err}");
    }
    assert_eq!(std::fs::read(&older).unwrap(), before);
    assert_eq!(trail_length(&vault), entries);

    // Confirmed: the newer backup takes its place.
    vault.backup_to(&older, Overwrite::Confirmed).unwrap();
    assert_eq!(trail_length(&vault), entries + 1);
    write_backup(&tv.path, &older, Overwrite::Confirmed).unwrap();
    assert_eq!(
        std::fs::metadata(&older).unwrap().permissions().mode() & 0o777,
        0o600
    );
    drop(vault);
    let restored = tv.file("restored.kapnotes");
    restore_backup(&older, &restored, PASSPHRASE).unwrap();
    let reopened = Vault::unlock(&restored, PASSPHRASE, Access::ReadOnly).unwrap();
    assert_eq!(reopened.sessions(CLIENT).unwrap().len(), sessions_now);
    drop(reopened);

    // A vault in use with the same id (a restored copy) is no backup: never replaced.
    let before = std::fs::read(&restored).unwrap();
    let err = write_backup(&tv.path, &restored, Overwrite::Confirmed).unwrap_err();
    assert!(matches!(err, Error::WouldReplaceVault(_)), "{err}");
    assert_eq!(std::fs::read(&restored).unwrap(), before);
    // Nor is the backup the vault itself when it is the file backed up.
    let err = write_backup(&older, &older, Overwrite::Confirmed).unwrap_err();
    assert!(matches!(err, Error::WouldReplaceVault(_)), "{err}");
    assert_no_leftovers(tv.dir.path());
}

#[test]
fn another_file_is_replaced_only_when_confirmed() {
    let (tv, vault) = TestVault::with_example();
    let letter = tv.file("letter.txt");
    let entries = trail_length(&vault);
    let written: [&dyn Fn(Overwrite) -> kapnotes::Result<()>; 3] = [
        &|o| interchange::export_to_file(&vault, &client_request(), &letter, o).map(drop),
        &|o| documents::write_document(&vault, &record_pdf(), Paper::A4, &letter, o).map(drop),
        &|o| vault.backup_to(&letter, o).map(drop),
    ];
    for (done, write) in written.into_iter().enumerate() {
        std::fs::write(&letter, OLD_CONTENT).unwrap();
        std::fs::set_permissions(&letter, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = write(Overwrite::Refuse).unwrap_err();
        assert!(matches!(err, Error::OutputExists(_)), "{err}");
        assert_eq!(err.kind(), ErrorKind::OutputRefused);
        assert!(err.to_string().contains("letter.txt"), "{err}");
        assert_eq!(std::fs::read(&letter).unwrap(), OLD_CONTENT);
        assert_eq!(
            trail_length(&vault),
            entries + done,
            "a refusal records nothing"
        );

        write(Overwrite::Confirmed).unwrap();
        assert_ne!(std::fs::read(&letter).unwrap(), OLD_CONTENT);
        assert_eq!(
            std::fs::metadata(&letter).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_eq!(trail_length(&vault), entries + 3);
    // A folder is never replaced.
    let folder = tv.file("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let err = interchange::export_to_file(&vault, &client_request(), &folder, Overwrite::Confirmed)
        .unwrap_err();
    assert!(matches!(err, Error::OutputIsFolder(_)), "{err}");
    // Nor the file a symbolic link names, nor the link, unless confirmed.
    let link = tv.file("link-to-letter.txt");
    std::fs::write(&letter, OLD_CONTENT).unwrap();
    std::os::unix::fs::symlink(&letter, &link).unwrap();
    let err = interchange::export_to_file(&vault, &client_request(), &link, Overwrite::Refuse)
        .unwrap_err();
    assert!(matches!(err, Error::OutputExists(_)), "{err}");
    assert_eq!(std::fs::read(&letter).unwrap(), OLD_CONTENT);
    assert_no_leftovers(tv.dir.path());
}

#[test]
fn no_folder_is_created_for_an_export_a_document_or_a_backup() {
    let (tv, vault) = TestVault::with_example();
    let entries = trail_length(&vault);
    let missing = tv.file("no/such/folder");
    let target = missing.join("out.json");
    for err in [
        interchange::export_to_file(&vault, &client_request(), &target, Overwrite::Confirmed)
            .unwrap_err(),
        documents::write_document(
            &vault,
            &record_pdf(),
            Paper::A4,
            &target,
            Overwrite::Confirmed,
        )
        .unwrap_err(),
        vault.backup_to(&target, Overwrite::Confirmed).unwrap_err(),
        write_backup(&tv.path, &target, Overwrite::Confirmed).unwrap_err(),
    ] {
        assert!(matches!(err, Error::FolderMissing(_)), "{err}");
        assert_eq!(err.kind(), ErrorKind::OutputRefused);
        assert!(
            err.to_string().contains(&missing.display().to_string()),
            "the error names the folder: {err}"
        );
    }
    assert!(!tv.file("no").exists(), "no folder was created");
    assert_eq!(trail_length(&vault), entries);
}

#[test]
fn an_export_is_entered_in_the_trail_only_once_it_is_whole_on_disk() {
    let (tv, vault) = TestVault::with_example();
    let entries = trail_length(&vault);
    // Building a document records nothing: only writing it out does.
    interchange::export(&vault, &ExportScope::Everything).unwrap();
    documents::document_pdf(&vault, &record_pdf(), Paper::A4).unwrap();
    assert_eq!(trail_length(&vault), entries);

    // When the entry cannot be written, the file is not put in place and its
    // temporary file is gone.
    let conn = rusqlite::Connection::open(&tv.path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER no_more_entries BEFORE INSERT ON audit_entries
         BEGIN SELECT RAISE(ABORT, 'the trail refuses'); END;",
    )
    .unwrap();
    let export = tv.file("export.json");
    assert!(
        interchange::export_to_file(&vault, &ExportScope::Everything, &export, Overwrite::Refuse)
            .is_err()
    );
    let pdf = tv.file("record.pdf");
    assert!(
        documents::write_document(&vault, &record_pdf(), Paper::A4, &pdf, Overwrite::Refuse)
            .is_err()
    );
    assert!(!export.exists() && !pdf.exists());
    assert_no_leftovers(tv.dir.path());

    conn.execute_batch("DROP TRIGGER no_more_entries").unwrap();
    let bytes =
        interchange::export_to_file(&vault, &ExportScope::Everything, &export, Overwrite::Refuse)
            .unwrap();
    assert_eq!(bytes, std::fs::metadata(&export).unwrap().len());
    documents::write_document(&vault, &record_pdf(), Paper::A4, &pdf, Overwrite::Refuse).unwrap();
    assert_eq!(trail_length(&vault), entries + 2);
}

/// Makes a leftover of an interrupted write, last modified `minutes_ago`.
fn leftover(folder: &Path, name: &str, minutes_ago: u64) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, b"a full-size copy of a vault, in real life").unwrap();
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(minutes_ago * 60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(then)
        .unwrap();
    path
}

#[test]
fn leftovers_of_interrupted_restores_are_removed_the_next_time() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let backup = tv.file("backup.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    let folder = tv.file("restores");
    std::fs::create_dir(&folder).unwrap();
    let id = "0123456789abcdef0123456789abcdef";
    let stale = leftover(&folder, &format!(".vault.kapnotes.partial-{id}"), 60);
    let stale_journal = leftover(
        &folder,
        &format!(".vault.kapnotes.partial-{id}-journal"),
        60,
    );
    // One still being written by another process (recent) stays, and so do files
    // kapnotes did not name.
    let recent = leftover(
        &folder,
        ".vault.kapnotes.partial-fedcba9876543210fedcba9876543210",
        1,
    );
    let unrelated = leftover(&folder, "vault.kapnotes.partial-notes.txt", 60);

    restore_backup(&backup, &folder.join("vault.kapnotes"), PASSPHRASE).unwrap();
    assert!(!stale.exists() && !stale_journal.exists());
    assert!(recent.exists() && unrelated.exists());

    // The next backup into a folder cleans it too.
    let stale = leftover(
        &folder,
        &format!(".kapnotes-backup.kapnotes.partial-{id}"),
        60,
    );
    backup_file(&tv.path, &folder.join("tuesday.kapnotes")).unwrap();
    assert!(!stale.exists());
    assert!(recent.exists() && unrelated.exists());
}

#[test]
fn restore_creates_its_folder_for_the_owner_alone() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let backup = tv.file("backup.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    let target = tv.file("new/place/vault.kapnotes");
    restore_backup(&backup, &target, PASSPHRASE).unwrap();
    for folder in [tv.file("new"), tv.file("new/place")] {
        assert_eq!(
            std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777,
            0o700,
            "{}",
            folder.display()
        );
    }
}
