//! The file itself: permissions, SQLite settings, the schema version guard, backups
//! (also taken while a writer is busy) and restores.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::vault::{backup_file, restore_backup};
use kapnotes::{Access, Error, ErrorKind, Vault};
use rusqlite::Connection;
use std::os::unix::fs::PermissionsExt;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_vault_is_private_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("nested")
        .join("kapnotes")
        .join("vault.kapnotes");
    let (vault, _) = Vault::create_insecure_for_tests(&path, PASSPHRASE).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    drop(vault);
    let conn = Connection::open(&path).unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn a_vault_from_a_newer_kapnotes_is_refused() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    Connection::open(&tv.path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::NewerFormat { found: 99, .. }), "{err}");
}

#[test]
fn missing_and_foreign_files_get_plain_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.kapnotes");
    assert!(matches!(
        Vault::unlock(&missing, PASSPHRASE, Access::ReadOnly),
        Err(Error::VaultNotFound(_))
    ));
    let junk = dir.path().join("junk.kapnotes");
    std::fs::write(&junk, vec![7u8; 8192]).unwrap();
    let err = Vault::unlock(&junk, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotAVault(_)), "{err}");
    let other_db = dir.path().join("other.sqlite");
    Connection::open(&other_db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    assert!(matches!(
        Vault::unlock(&other_db, PASSPHRASE, Access::ReadOnly),
        Err(Error::NotAVault(_))
    ));
}

#[test]
fn backup_then_restore_gives_the_same_vault() {
    let (tv, vault) = TestVault::with_example();
    let expected = export_value(&vault);
    let backup = tv.file("backups/monday.kapnotes");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let summary = backup_file(&tv.path, &backup).unwrap();
    assert!(summary.bytes > 0);
    assert_eq!(mode(&backup), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(backup.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    let restored = tv.file("restored/vault.kapnotes");
    restore_backup(&backup, &restored, PASSPHRASE).unwrap();
    let reopened = Vault::unlock(&restored, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(export_value(&reopened), expected);
    assert!(reopened.verify().unwrap().is_clean());
}

#[test]
fn restore_never_overwrites_and_checks_the_passphrase_of_the_day() {
    let (tv, mut vault) = TestVault::with_example();
    let backup = tv.file("b.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    vault
        .change_passphrase("the passphrase of next week")
        .unwrap();
    drop(vault);

    assert!(matches!(
        restore_backup(&backup, &tv.path, PASSPHRASE),
        Err(Error::AlreadyExists(_))
    ));
    let target = tv.file("restored.kapnotes");
    let err = restore_backup(&backup, &target, "the passphrase of next week").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    assert!(!target.exists());
    restore_backup(&backup, &target, PASSPHRASE).unwrap();

    let junk = tv.file("junk.bin");
    std::fs::write(&junk, b"not a backup at all").unwrap();
    let err = restore_backup(&junk, &tv.file("x.kapnotes"), PASSPHRASE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert!(!tv.file("x.kapnotes").exists());
}

#[test]
fn a_tampered_backup_is_not_restored() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let backup = tv.file("b.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    let conn = Connection::open(&backup).unwrap();
    let mut sealed: Vec<u8> = conn
        .query_row("SELECT sealed FROM parts WHERE id = ?1", [PLANNER], |r| {
            r.get(0)
        })
        .unwrap();
    sealed[30] ^= 4;
    conn.execute(
        "UPDATE parts SET sealed = ?1 WHERE id = ?2",
        rusqlite::params![sealed, PLANNER],
    )
    .unwrap();
    drop(conn);
    let target = tv.file("restored.kapnotes");
    let err = restore_backup(&backup, &target, PASSPHRASE).unwrap_err();
    assert!(matches!(err, Error::BackupDamaged { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Integrity);
    assert!(!target.exists());
}

#[test]
fn a_backup_cannot_overwrite_its_own_vault() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    assert!(backup_file(&tv.path, &tv.path).is_err());
    assert!(Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).is_ok());
}

/// The numbers of the sessions `create_numbered_sessions` wrote that `vault` holds.
fn numbered_sessions(vault: &Vault) -> Vec<usize> {
    let mut numbers: Vec<usize> = vault
        .sessions(CLIENT)
        .unwrap()
        .iter()
        .filter_map(|s| s.note.strip_prefix("Written during backups, number "))
        .map(|n| n.trim_end_matches('.').parse().unwrap())
        .collect();
    numbers.sort_unstable();
    numbers
}

#[test]
fn a_backup_taken_while_a_writer_is_busy_is_consistent() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let (tv, mut vault) = TestVault::with_example();
    let path = tv.path.clone();
    // When each write began and when it returned (committed), in order.
    let writes: Arc<Mutex<Vec<(Instant, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let (writes, stop) = (writes.clone(), stop.clone());
        move || {
            for i in 0..400 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let mut s = dosing_session(&format!("2026-07-{:02}", 1 + i % 28));
                s.note = format!("Written during backups, number {i}.");
                let began = Instant::now();
                vault.create_session(CLIENT, s).unwrap();
                writes.lock().unwrap().push((began, Instant::now()));
            }
            vault
        }
    });
    // Back up until several backups began while a write was in flight (or give up).
    let mut backups: Vec<(std::path::PathBuf, Instant, Instant)> = Vec::new();
    let mut overlapping = 0;
    while overlapping < 3 && backups.len() < 40 && !writer.is_finished() {
        let backup = tv.file(&format!("during-{}.kapnotes", backups.len()));
        let began = Instant::now();
        backup_file(&path, &backup).unwrap();
        let ended = Instant::now();
        if writes
            .lock()
            .unwrap()
            .iter()
            .any(|(s, e)| *s < began && began < *e)
        {
            overlapping += 1;
        }
        backups.push((backup, began, ended));
        std::thread::sleep(Duration::from_millis(3 * backups.len() as u64 % 11));
    }
    stop.store(true, Ordering::Relaxed);
    let vault = writer.join().unwrap();
    assert!(
        overlapping >= 1,
        "no backup began while a write was in flight ({} backups, {} writes)",
        backups.len(),
        writes.lock().unwrap().len()
    );
    let writes = writes.lock().unwrap().clone();
    assert_eq!(
        numbered_sessions(&vault),
        (0..writes.len()).collect::<Vec<_>>()
    );
    drop(vault);

    for (i, (backup, began, ended)) in backups.iter().enumerate() {
        let restored = tv.file(&format!("restored-{i}.kapnotes"));
        restore_backup(backup, &restored, PASSPHRASE).unwrap();
        let copy = Vault::unlock(&restored, PASSPHRASE, Access::ReadOnly).unwrap();
        let report = copy.verify().unwrap();
        assert!(report.is_clean(), "backup {i}: {:?}", report.problems);
        // A snapshot: the first k writes, whole, with k between the writes committed
        // before the backup began and those begun before it ended.
        let held = numbered_sessions(&copy);
        let k = held.len();
        assert_eq!(held, (0..k).collect::<Vec<_>>(), "backup {i} has a gap");
        let committed_before = writes.iter().filter(|(_, e)| e < began).count();
        let begun_before_end = writes.iter().filter(|(s, _)| s < ended).count();
        assert!(
            (committed_before..=begun_before_end).contains(&k),
            "backup {i} holds {k} writes, not between {committed_before} and {begun_before_end}"
        );
    }
    println!(
        "{} backups, {overlapping} begun during a write, {} writes",
        backups.len(),
        writes.len()
    );
}

/// A write transaction held open on a second connection (its pages spilled into the
/// write-ahead log, uncommitted) while a backup runs: the backup does not wait for it
/// and holds exactly the last committed state, not the write.
#[test]
fn a_backup_during_an_open_write_transaction_holds_the_last_committed_state() {
    let (tv, vault) = TestVault::with_example();
    let expected = export_value(&vault);
    drop(vault);
    let writer = Connection::open(&tv.path).unwrap();
    // A tiny page cache makes SQLite spill the uncommitted pages into the WAL file.
    writer.pragma_update(None, "cache_size", 2).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    writer
        .execute_batch(
            "CREATE TABLE written_during_the_backup (bytes BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
             INSERT INTO written_during_the_backup SELECT randomblob(4000) FROM n;
             DELETE FROM measures;",
        )
        .unwrap();
    let wal_len = |p: &std::path::Path| {
        std::fs::metadata(format!("{}-wal", p.display())).map_or(0, |m| m.len())
    };
    assert!(
        wal_len(&tv.path) > 200 * 4000,
        "the open transaction's pages are in the WAL"
    );
    let backup = tv.file("during.kapnotes");
    let began = std::time::Instant::now();
    backup_file(&tv.path, &backup).unwrap();
    assert!(
        began.elapsed() < std::time::Duration::from_secs(5),
        "the backup waited for the writer"
    );
    // Still open: the backup ran inside the write, not after it.
    assert!(!writer.is_autocommit());
    writer.execute_batch("COMMIT").unwrap();
    drop(writer);

    let restored = tv.file("restored.kapnotes");
    restore_backup(&backup, &restored, PASSPHRASE).unwrap();
    let copy = Vault::unlock(&restored, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(copy.verify().unwrap().is_clean());
    assert_eq!(export_value(&copy), expected);
    let tables: Vec<String> = Connection::open(&backup)
        .unwrap()
        .prepare("SELECT name FROM sqlite_master")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!tables.iter().any(|t| t == "written_during_the_backup"));
    // The write did land in the vault once committed.
    assert!(
        Connection::open(&tv.path)
            .unwrap()
            .query_row("SELECT COUNT(*) = 0 FROM measures", [], |r| r
                .get::<_, bool>(0))
            .unwrap()
    );
    assert!(
        !expected["clients"][0]["measures"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A vault written by format 1 (schema 1, crypto format 1), committed to the repository.
/// It must keep opening, unchanged in meaning, in every later kapnotes.
const FORMAT_1_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/vaults/format-1.kapnotes"
);
const FORMAT_1_RECOVERY_KEY_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/vaults/format-1.recovery-key.txt"
);

#[test]
fn a_committed_format_1_vault_keeps_opening() {
    if std::env::var_os("KAPNOTES_WRITE_FIXTURES").is_some() {
        let _ = std::fs::remove_file(FORMAT_1_FIXTURE);
        let (mut vault, recovery) =
            Vault::create_insecure_for_tests(std::path::Path::new(FORMAT_1_FIXTURE), PASSPHRASE)
                .unwrap();
        interchange::import(&mut vault, EXAMPLE).unwrap();
        let mut session = vault.session(INTEGRATION).unwrap();
        session.note = "An earlier draft of the integration note.".into();
        vault.update_session(session.clone()).unwrap();
        session.note = String::new();
        vault.update_session(session).unwrap();
        drop(vault);
        // Fold the WAL into the file so the fixture is one self-contained file.
        let conn = Connection::open(FORMAT_1_FIXTURE).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        drop(conn);
        let _ = std::fs::remove_file(format!("{FORMAT_1_FIXTURE}.lock"));
        std::fs::write(
            FORMAT_1_RECOVERY_KEY_FILE,
            format!("{}\n", recovery.dangerously_reveal().as_str()),
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("old.kapnotes");
    std::fs::copy(FORMAT_1_FIXTURE, &copy).unwrap();

    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(vault.verify().unwrap().is_clean());
    // Its audit trail starts on the first unlock, with a baseline entry for every row.
    use kapnotes::vault::AuditAction::*;
    let started: Vec<_> = vault
        .audit_trail()
        .unwrap()
        .entries
        .iter()
        .map(|e| e.action)
        .collect();
    let conn = Connection::open(&copy).unwrap();
    let count = |t: &kapnotes::vault::Table| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {}", t.name()), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as usize
    };
    let history = count(&kapnotes::vault::Table::MapHistory);
    let rows: usize = kapnotes::vault::Table::ALL.iter().map(count).sum::<usize>() - history;
    drop(conn);
    // Then the map's history, started at the upgrade (its start and a version of each
    // part, relationship and agreement), and once the trail is whole, the date from
    // which it has the dosing-day record: the rows written after the baseline.
    assert_eq!(history, 1 + 4 + 3 + 1);
    let mut expected_actions = vec![AuditStarted];
    expected_actions.extend(std::iter::repeat_n(Baseline, rows - 1));
    expected_actions.extend(std::iter::repeat_n(Created, history));
    expected_actions.extend([Unlocked, Created]);
    assert_eq!(started, expected_actions);
    let mut expected: serde_json::Value = serde_json::from_str(EXAMPLE_CANONICAL).unwrap();
    expected.as_object_mut().unwrap().remove("exported_at");
    assert_eq!(export_value(&vault), expected);
    let revisions = vault.note_revisions(INTEGRATION).unwrap();
    assert_eq!(
        revisions[0].note,
        "An earlier draft of the integration note."
    );
    drop(vault);

    let recovery_key = std::fs::read_to_string(FORMAT_1_RECOVERY_KEY_FILE).unwrap();
    Vault::unlock_with_recovery_key(&copy, recovery_key.trim(), Access::ReadOnly).unwrap();
}

#[test]
fn the_app_can_replace_its_vault_with_a_backup_and_keep_the_old_one() {
    let (tv, mut vault) = TestVault::with_example();
    let backup = tv.file("friday.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    vault.set_client_archived(CLIENT, true).unwrap();
    drop(vault);

    let err =
        kapnotes::vault::replace_with_backup(&tv.path, &backup, "wrong passphrase").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    assert!(
        Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
            .unwrap()
            .client(CLIENT)
            .unwrap()
            .profile
            .archived
    );

    let kept = kapnotes::vault::replace_with_backup(&tv.path, &backup, PASSPHRASE).unwrap();
    let restored = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        !restored.client(CLIENT).unwrap().profile.archived,
        "the backup's state is back"
    );
    assert!(restored.verify().unwrap().is_clean());
    let old = Vault::unlock(&kept, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(
        old.client(CLIENT).unwrap().profile.archived,
        "the replaced vault is kept"
    );
    // Refused while the vault is open for writing elsewhere.
    assert!(matches!(
        kapnotes::vault::replace_with_backup(&tv.path, &backup, PASSPHRASE),
        Err(Error::WriterBusy)
    ));
}

#[test]
fn automatic_backups_land_in_their_folder_and_notice_changes() {
    use kapnotes::vault::{
        DEFAULT_POLICY, changed_since_last_backup, list_backups, take_automatic_backup,
    };
    let (tv, mut vault) = TestVault::with_example();
    let folder = tv.file("backups");
    assert!(
        changed_since_last_backup(&tv.path, &folder).unwrap(),
        "no backup yet"
    );
    let summary = take_automatic_backup(&vault, &folder, DEFAULT_POLICY).unwrap();
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&summary.path), 0o600);
    assert!(!changed_since_last_backup(&tv.path, &folder).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(20));
    vault.set_client_archived(CLIENT, true).unwrap();
    assert!(changed_since_last_backup(&tv.path, &folder).unwrap());
    take_automatic_backup(&vault, &folder, DEFAULT_POLICY).unwrap();
    let backups = list_backups(&folder).unwrap();
    assert_eq!(backups.len(), 2);
    drop(vault);
    let restored = tv.file("restored.kapnotes");
    restore_backup(&backups[0].path, &restored, PASSPHRASE).unwrap();
    let vault = Vault::unlock(&restored, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(
        vault.client(CLIENT).unwrap().profile.archived,
        "the newest backup has the newest change"
    );
}

#[test]
fn an_automatic_backup_waits_for_a_change_and_for_its_interval() {
    use kapnotes::vault::{automatic_backup_if_due, backup_state, list_backups};
    let (tv, mut vault) = TestVault::with_example();
    let folder = tv.file("auto");
    assert!(
        backup_state(&folder).unwrap().stale,
        "no backup yet is stale"
    );
    assert!(
        automatic_backup_if_due(&vault, &folder, Some(15))
            .unwrap()
            .is_some(),
        "the first one is due"
    );
    let state = backup_state(&folder).unwrap();
    assert!(!state.stale && state.last_taken_at.is_some());
    assert!(
        automatic_backup_if_due(&vault, &folder, None)
            .unwrap()
            .is_none(),
        "nothing changed"
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    vault.set_client_archived(CLIENT, true).unwrap();
    assert!(
        automatic_backup_if_due(&vault, &folder, Some(15))
            .unwrap()
            .is_none(),
        "changed, but too soon"
    );
    assert!(
        automatic_backup_if_due(&vault, &folder, None)
            .unwrap()
            .is_some(),
        "on lock: whenever it changed"
    );
    assert_eq!(list_backups(&folder).unwrap().len(), 2);
}
