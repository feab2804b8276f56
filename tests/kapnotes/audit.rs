//! The audit trail: what a day of work leaves in it, and every way of tampering with it
//! that `verify` must catch (an entry removed, reordered, edited, cut off the end, the
//! head removed, entries carried over from another vault).

use crate::common::*;
use kapnotes::vault::{AuditAction, AuditTrail, Overwrite, Table};
use kapnotes::{Access, ExportScope, Vault};
use rusqlite::{Connection, params};

fn actions(trail: &AuditTrail) -> Vec<AuditAction> {
    trail.entries.iter().map(|e| e.action).collect()
}

fn audit_problems(path: &std::path::Path) -> Vec<String> {
    let report = Vault::unlock(path, PASSPHRASE, Access::ReadOnly)
        .unwrap()
        .verify()
        .unwrap();
    report
        .problems
        .into_iter()
        .filter(|p| p.record.as_deref() == Some("audit_entries"))
        .map(|p| p.message)
        .collect()
}

/// A vault with some history: created, imported, a burst of note edits, a signature.
fn vault_with_history() -> (TestVault, Vault) {
    let (tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    for word in ["Calmer", "Calmer this", "Calmer this week."] {
        session.note = word.into();
        vault.update_session(session.clone()).unwrap();
    }
    vault.sign_session(INTEGRATION).unwrap();
    (tv, vault)
}

#[test]
fn a_day_of_work_is_recorded_once_per_event_and_once_per_editing_burst() {
    let (tv, mut vault) = vault_with_history();
    vault
        .add_addendum(INTEGRATION, "Client called: sleeping better.")
        .unwrap();
    // A refused change records nothing.
    let mut signed = vault.session(INTEGRATION).unwrap();
    signed.note = "rewritten".into();
    vault.update_session(signed).unwrap_err();
    vault
        .export_to_file(
            &ExportScope::Client {
                id: CLIENT.into(),
                include_psychotherapy_notes: false,
            },
            &tv.file("request.json"),
            Overwrite::Refuse,
        )
        .unwrap();
    vault
        .backup_to(&tv.file("manual.kapnotes"), Overwrite::Refuse)
        .unwrap();
    vault.change_passphrase("a second passphrase here").unwrap();
    vault.change_passphrase(PASSPHRASE).unwrap();
    vault.regenerate_recovery_key().unwrap();
    drop(vault);
    for _ in 0..2 {
        assert!(Vault::unlock(&tv.path, "wrong guess", Access::ReadWrite).is_err());
    }
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault
            .failed_unlocks_before_this_unlock()
            .is_some_and(|f| f.starts_with("2 failed attempts, from ")),
        "the clinician is told: {:?}",
        vault.failed_unlocks_before_this_unlock()
    );
    let trail = vault.audit_trail().unwrap();
    assert!(trail.problems.is_empty(), "{:?}", trail.problems);
    use AuditAction::*;
    assert_eq!(
        actions(&trail),
        [
            VaultCreated,
            Imported,
            Updated,
            Signed,
            Addendum,
            Exported,
            BackupTaken,
            PassphraseChanged,
            PassphraseChanged,
            RecoveryKeyReplaced,
            FailedUnlocks,
            Unlocked,
        ]
    );
    let burst = &trail.entries[2];
    assert_eq!(burst.count, 3, "three autosaves, one entry");
    assert_eq!(burst.record_kind.as_deref(), Some("session"));
    assert_eq!(burst.record_id.as_deref(), Some(INTEGRATION));
    assert_eq!(burst.client_id.as_deref(), Some(CLIENT));
    assert_eq!(burst.content_sha256.as_deref().map(str::len), Some(64));
    assert_eq!(
        trail.entries[10]
            .detail
            .as_deref()
            .map(|d| d.starts_with("2 failed attempts")),
        Some(true)
    );
    assert_eq!(
        trail.entries[5].detail.as_deref(),
        Some("psychotherapy notes left out")
    );
    assert_eq!(
        trail.entries.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    let client_trail = vault.client_audit_trail(CLIENT).unwrap();
    assert_eq!(
        actions(&client_trail),
        [Imported, Updated, Signed, Addendum, Exported]
    );
    // The counter was cleared once written into the chain.
    let pending: i64 = Connection::open(&tv.path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM unlock_failures", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0);
    assert!(vault.verify().unwrap().is_clean());
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(vault.failed_unlocks_before_this_unlock(), None, "told once");
}

#[test]
fn the_content_hash_is_of_the_sealed_row_so_it_can_be_checked_against_the_vault() {
    let (tv, vault) = vault_with_history();
    let signed = vault.audit_trail().unwrap().entries[3].clone();
    assert_eq!(signed.action, AuditAction::Signed);
    drop(vault);
    let sealed: Vec<u8> = Connection::open(&tv.path)
        .unwrap()
        .query_row(
            "SELECT sealed FROM sessions WHERE id = ?1",
            [INTEGRATION],
            |r| r.get(0),
        )
        .unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, &sealed);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(signed.content_sha256.as_deref(), Some(hex.as_str()));
}

fn entry_rows(conn: &Connection) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
    let mut stmt = conn
        .prepare("SELECT position, sealed, mac FROM audit_entries ORDER BY position")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Runs `tamper` on a fresh copy of a vault with history and returns verify's audit
/// problems.
fn after_tampering(tamper: impl FnOnce(&Connection)) -> Vec<String> {
    let (tv, vault) = vault_with_history();
    drop(vault);
    assert!(
        audit_problems(&tv.path).is_empty(),
        "clean before tampering"
    );
    let conn = Connection::open(&tv.path).unwrap();
    tamper(&conn);
    drop(conn);
    audit_problems(&tv.path)
}

#[test]
fn an_entry_removed_from_the_middle_is_caught() {
    let problems = after_tampering(|conn| {
        conn.execute("DELETE FROM audit_entries WHERE position = 2", [])
            .unwrap();
    });
    assert!(
        problems
            .iter()
            .any(|p| p.contains("entries 2 to 2 are missing")),
        "{problems:?}"
    );
}

#[test]
fn entries_renumbered_to_hide_a_removal_are_caught() {
    let problems = after_tampering(|conn| {
        conn.execute("DELETE FROM audit_entries WHERE position = 2", [])
            .unwrap();
        conn.execute(
            "UPDATE audit_entries SET position = position - 1 WHERE position > 2",
            [],
        )
        .unwrap();
    });
    assert!(!problems.is_empty());
}

#[test]
fn two_entries_swapped_are_caught() {
    let problems = after_tampering(|conn| {
        let rows = entry_rows(conn);
        let (a, b) = (&rows[1], &rows[2]);
        for (position, (_, sealed, mac)) in [(a.0, b), (b.0, a)] {
            conn.execute(
                "UPDATE audit_entries SET sealed = ?2, mac = ?3 WHERE position = ?1",
                params![position, sealed, mac],
            )
            .unwrap();
        }
    });
    assert!(
        problems
            .iter()
            .any(|p| p.contains("does not fit the chain")),
        "{problems:?}"
    );
}

#[test]
fn an_edited_entry_is_caught() {
    for column in ["sealed", "mac"] {
        let problems = after_tampering(|conn| {
            let mut value: Vec<u8> = conn
                .query_row(
                    &format!("SELECT {column} FROM audit_entries WHERE position = 3"),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let last = value.len() - 1;
            value[last] ^= 1;
            conn.execute(
                &format!("UPDATE audit_entries SET {column} = ?1 WHERE position = 3"),
                [value],
            )
            .unwrap();
        });
        assert!(!problems.is_empty(), "an edited {column} went unnoticed");
    }
}

#[test]
fn entries_cut_off_the_end_are_caught() {
    let problems = after_tampering(|conn| {
        conn.execute(
            "DELETE FROM audit_entries WHERE position = (SELECT MAX(position) FROM audit_entries)",
            [],
        )
        .unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("cut short")),
        "{problems:?}"
    );
}

#[test]
fn a_removed_head_or_a_whole_removed_trail_is_caught() {
    let problems = after_tampering(|conn| {
        conn.execute("UPDATE vault_header SET audit_head = NULL", [])
            .unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("missing")),
        "{problems:?}"
    );
    let problems = after_tampering(|conn| {
        conn.execute("DELETE FROM audit_entries", []).unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("cut short")),
        "{problems:?}"
    );
}

#[test]
fn a_damaged_trail_refuses_further_changes_but_still_unlocks() {
    let (tv, vault) = vault_with_history();
    drop(vault);
    Connection::open(&tv.path)
        .unwrap()
        .execute("UPDATE vault_header SET audit_head = NULL", [])
        .unwrap();
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(vault.client(CLIENT).is_ok(), "the records stay readable");
    let err = vault.set_client_archived(CLIENT, true).unwrap_err();
    assert!(err.to_string().contains("audit trail is damaged"), "{err}");
    assert!(
        !vault.client(CLIENT).unwrap().profile.archived,
        "nothing written"
    );
}

#[test]
fn entries_from_another_vault_do_not_fit() {
    let (other_tv, other) = vault_with_history();
    drop(other);
    let stolen = entry_rows(&Connection::open(&other_tv.path).unwrap());
    let problems = after_tampering(|conn| {
        for (position, sealed, mac) in &stolen {
            conn.execute(
                "UPDATE audit_entries SET sealed = ?2, mac = ?3 WHERE position = ?1",
                params![position, sealed, mac],
            )
            .unwrap();
        }
    });
    assert!(!problems.is_empty());
}

#[test]
fn the_trail_survives_a_data_key_rotation_and_holds_no_plaintext() {
    let (tv, mut vault) = vault_with_history();
    vault.rotate_data_key(PASSPHRASE).unwrap();
    let trail = vault.audit_trail().unwrap();
    assert!(trail.problems.is_empty(), "{:?}", trail.problems);
    assert_eq!(
        trail.entries.last().unwrap().action,
        AuditAction::DataKeyRotated
    );
    assert!(vault.verify().unwrap().is_clean());
    drop(vault);
    let conn = Connection::open(&tv.path).unwrap();
    let bytes: Vec<u8> = entry_rows(&conn)
        .into_iter()
        .flat_map(|(_, sealed, mac)| [sealed, mac].concat())
        .collect();
    for needle in [INTEGRATION, CLIENT, "session", "signed", "Calmer"] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle} in the trail"
        );
    }
}

#[test]
fn a_restore_is_recorded_in_the_restored_vault() {
    let (tv, vault) = vault_with_history();
    let backup = tv.file("backup.kapnotes");
    vault.backup_to(&backup, Overwrite::Refuse).unwrap();
    drop(vault);
    let restored = tv.file("restored.kapnotes");
    kapnotes::vault::restore_backup(&backup, &restored, PASSPHRASE).unwrap();
    let vault = Vault::unlock(&restored, PASSPHRASE, Access::ReadOnly).unwrap();
    let trail = vault.audit_trail().unwrap();
    assert!(trail.problems.is_empty(), "{:?}", trail.problems);
    let last = trail.entries.last().unwrap();
    assert_eq!(last.action, AuditAction::Restored);
    assert_eq!(
        last.detail.as_deref(),
        Some("from the backup backup.kapnotes")
    );
    // The restore checks the copy with a write unlock, which is recorded too.
    assert_eq!(
        trail.entries[trail.entries.len() - 2].action,
        AuditAction::Unlocked
    );
    assert_eq!(
        trail.entries[trail.entries.len() - 3].action,
        AuditAction::BackupTaken,
        "the backup holds its own entry"
    );
}

#[test]
fn deleting_a_record_is_recorded_without_a_hash() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut measure = vault.measures(CLIENT).unwrap()[0].clone();
    let id = measure.id.clone();
    measure.id = kapnotes::records::new_id();
    vault.create_measure(CLIENT, measure).unwrap();
    vault.delete_measure(&id).unwrap();
    let trail = vault.audit_trail().unwrap();
    let last = trail.entries.last().unwrap();
    assert_eq!(last.action, AuditAction::Deleted);
    assert_eq!(
        last.record_kind.as_deref(),
        Some(Table::Measures.record_name())
    );
    assert_eq!(last.content_sha256, None);
    assert_eq!(
        trail.entries[trail.entries.len() - 2].action,
        AuditAction::Created
    );
}

fn row(path: &std::path::Path, table: &str, id: &str) -> (i64, Vec<u8>) {
    Connection::open(path)
        .unwrap()
        .query_row(
            &format!("SELECT revision, sealed FROM {table} WHERE id = ?1"),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_row_rolled_back_to_an_older_copy_of_itself_is_caught() {
    let (tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    session.note = "First draft.".into();
    vault.update_session(session.clone()).unwrap();
    let (old_revision, old_sealed) = row(&tv.path, "sessions", INTEGRATION);
    session.note = "The note as it stands.".into();
    vault.update_session(session).unwrap();
    drop(vault);
    assert!(audit_problems(&tv.path).is_empty());
    // The older copy still authenticates on its own: only the trail knows better.
    Connection::open(&tv.path)
        .unwrap()
        .execute(
            "UPDATE sessions SET revision = ?1, sealed = ?2 WHERE id = ?3",
            params![old_revision, old_sealed, INTEGRATION],
        )
        .unwrap();
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert_eq!(vault.session(INTEGRATION).unwrap().note, "First draft.");
    drop(vault);
    let problems = audit_problems(&tv.path);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("rolled back or replaced")),
        "{problems:?}"
    );
}

#[test]
fn a_deleted_row_put_back_and_a_row_removed_behind_the_apps_back_are_caught() {
    let (tv, mut vault) = TestVault::with_example();
    let mut measure = vault.measures(CLIENT).unwrap()[0].clone();
    measure.id = kapnotes::records::new_id();
    let kept = measure.id.clone();
    vault.create_measure(CLIENT, measure.clone()).unwrap();
    measure.id = kapnotes::records::new_id();
    let deleted = measure.id.clone();
    vault.create_measure(CLIENT, measure).unwrap();
    let conn = Connection::open(&tv.path).unwrap();
    let saved: (i64, i64, Vec<u8>) = conn
        .query_row(
            "SELECT creation_order, revision, sealed FROM measures WHERE id = ?1",
            [&deleted],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    vault.delete_measure(&deleted).unwrap();
    drop(vault);
    assert!(audit_problems(&tv.path).is_empty());
    conn.execute(
        "INSERT INTO measures (id, client_id, creation_order, revision, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![deleted, CLIENT, saved.0, saved.1, saved.2],
    )
    .unwrap();
    conn.execute("DELETE FROM measures WHERE id = ?1", [&kept])
        .unwrap();
    drop(conn);
    let problems = audit_problems(&tv.path);
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("{deleted} was deleted"))),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("{kept} is missing"))),
        "{problems:?}"
    );
}

#[test]
fn deleting_a_whole_client_leaves_a_trail_that_verifies() {
    let (tv, mut vault) = TestVault::new();
    let profile = kapnotes::records::ClientProfile::new("A.B.");
    let client_id = profile.id.clone();
    vault.create_client(profile).unwrap();
    let session = kapnotes::records::Session::new(
        kapnotes::records::SessionKind::Therapy,
        ts("2026-05-01T10:00:00+00:00"),
    );
    vault.create_session(&client_id, session).unwrap();
    vault.delete_client(&client_id).unwrap();
    drop(vault);
    assert!(audit_problems(&tv.path).is_empty());
}
