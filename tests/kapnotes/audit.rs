//! The audit trail: what a day of work leaves in it, and every way of tampering with it
//! that `verify` must catch (an entry removed, reordered, edited, cut off the end, the
//! head removed, entries carried over from another vault).

use crate::common::*;
use kapnotes::interchange;
use kapnotes::vault::{AuditAction, AuditTrail, Overwrite, Table};
use kapnotes::{Access, ExportScope, Vault};
use rusqlite::{Connection, params};

/// The trail's story in events: an import's one entry per row told once, and the
/// note revisions kept along the way left out.
fn story(trail: &AuditTrail) -> Vec<AuditAction> {
    let mut out: Vec<AuditAction> = Vec::new();
    for entry in &trail.entries {
        if entry.record_kind.as_deref() == Some("note revision") {
            continue;
        }
        let repeats = matches!(entry.action, AuditAction::Imported | AuditAction::Updated);
        if repeats && out.last() == Some(&entry.action) {
            continue;
        }
        out.push(entry.action);
    }
    out
}

fn entry_of(trail: &AuditTrail, action: AuditAction) -> &kapnotes::vault::AuditEntry {
    trail.entries.iter().find(|e| e.action == action).unwrap()
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
    interchange::export_to_file(
        &vault,
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
        story(&trail),
        [
            VaultCreated,
            // The date from which the vault has the dosing-day record.
            Created,
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
    // The import: one entry per row, each with the hash of its sealed bytes.
    let imported: Vec<_> = trail
        .entries
        .iter()
        .filter(|e| e.action == Imported && e.record_kind.as_deref() != Some("map history version"))
        .collect();
    assert_eq!(
        imported.len(),
        15,
        "1 client, 4 parts, 3 relationships, 1 agreement, 3 sessions, 3 measures"
    );
    assert!(imported.iter().all(|e| e.content_sha256.is_some()));
    // Three autosaves: one entry per burst, split only where a note revision was kept.
    let burst: Vec<_> = trail
        .entries
        .iter()
        .filter(|e| e.action == Updated)
        .collect();
    assert_eq!(burst.iter().map(|e| e.count).sum::<u32>(), 3);
    assert_eq!(burst.len(), 2, "{burst:?}");
    let burst = burst[1];
    assert_eq!(burst.record_kind.as_deref(), Some("session"));
    assert_eq!(burst.record_id.as_deref(), Some(INTEGRATION));
    assert_eq!(burst.client_id.as_deref(), Some(CLIENT));
    assert_eq!(burst.content_sha256.as_deref().map(str::len), Some(64));
    assert_eq!(
        entry_of(&trail, FailedUnlocks)
            .detail
            .as_deref()
            .map(|d| d.starts_with("2 failed attempts")),
        Some(true)
    );
    assert_eq!(
        entry_of(&trail, Exported).detail.as_deref(),
        Some("psychotherapy notes left out")
    );
    assert_eq!(
        trail.entries.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=trail.entries.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(trail.length, trail.entries.len() as u64);
    assert!(
        trail
            .entries
            .windows(2)
            .all(|w| w[0].generation <= w[1].generation),
        "generations rise with the writes"
    );

    let client_trail = vault.client_audit_trail(CLIENT).unwrap();
    assert_eq!(
        story(&client_trail),
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
    let signed = entry_of(&vault.audit_trail().unwrap(), AuditAction::Signed).clone();
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
    // The head lives in the header seal: a seal that does not open is a damaged header.
    let (tv, vault) = vault_with_history();
    drop(vault);
    Connection::open(&tv.path)
        .unwrap()
        .execute("UPDATE vault_header SET header_seal = X'00'", [])
        .unwrap();
    let err = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(
        matches!(err, kapnotes::Error::DamagedHeader { .. }),
        "{err}"
    );
    let problems = after_tampering(|conn| {
        conn.execute("DELETE FROM audit_entries", []).unwrap();
        conn.execute("UPDATE vault_header SET audit_head = NULL", [])
            .unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("cut short")),
        "{problems:?}"
    );
}

#[test]
fn a_damaged_trail_refuses_further_changes_but_still_unlocks() {
    // The same rule wherever the damage sits: the newest entry, one in the middle, the
    // first one, or a row that no longer matches the trail.
    let damage: [&str; 4] = [
        "DELETE FROM audit_entries WHERE position = (SELECT MAX(position) FROM audit_entries)",
        "DELETE FROM audit_entries WHERE position = 5",
        "UPDATE audit_entries SET mac = X'00' WHERE position = 1",
        "DELETE FROM measures WHERE id = (SELECT MIN(id) FROM measures)",
    ];
    for sql in damage {
        let (tv, vault) = vault_with_history();
        drop(vault);
        let before = Connection::open(&tv.path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM audit_entries", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap();
        let conn = Connection::open(&tv.path).unwrap();
        let removed = conn.execute(sql, []).unwrap() as i64;
        drop(conn);
        let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
        assert!(!vault.trail_problems().is_empty(), "{sql}");
        assert!(vault.client(CLIENT).is_ok(), "the records stay readable");
        let err = vault.set_client_archived(CLIENT, true).unwrap_err();
        assert_eq!(err.kind(), kapnotes::ErrorKind::Integrity, "{sql}: {err}");
        assert!(err.to_string().contains("audit trail is damaged"), "{err}");
        assert!(
            !vault.client(CLIENT).unwrap().profile.archived,
            "nothing written"
        );
        // Exports still work, to rescue the records, and take no entry.
        let exported = interchange::export(&vault, &ExportScope::Everything);
        assert!(exported.is_ok(), "{sql}");
        drop(vault);
        let after = Connection::open(&tv.path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM audit_entries", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap();
        let expected = if sql.starts_with("DELETE FROM audit_entries") {
            before - removed
        } else {
            before
        };
        assert_eq!(
            after, expected,
            "{sql}: nothing appended, not even the unlock"
        );
        assert!(!audit_problems(&tv.path).is_empty(), "{sql}");
    }
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
        story(&trail).last(),
        Some(&AuditAction::Resealed),
        "the rotation, then every row re-recorded under the new key"
    );
    assert!(
        trail
            .entries
            .iter()
            .any(|e| e.action == AuditAction::DataKeyRotated)
    );
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
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

// ----- The holes found when the vault was attacked (issue 9) -----

fn entry_count(path: &std::path::Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM audit_entries", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn emptying_the_trail_and_nulling_its_seal_is_caught_and_never_starts_a_new_trail() {
    let (tv, vault) = vault_with_history();
    drop(vault);
    let conn = Connection::open(&tv.path).unwrap();
    conn.execute("DELETE FROM audit_entries", []).unwrap();
    conn.execute("UPDATE vault_header SET audit_head = NULL", [])
        .unwrap();
    drop(conn);
    let problems = audit_problems(&tv.path);
    assert!(
        problems.iter().any(|p| p.contains("cut short")),
        "{problems:?}"
    );
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(vault.set_client_archived(CLIENT, true).is_err());
    drop(vault);
    assert_eq!(entry_count(&tv.path), 0, "no new trail was started");
    assert!(!audit_problems(&tv.path).is_empty(), "still reported");
}

#[test]
fn deleting_any_imported_record_is_caught_even_a_signed_session() {
    let cases = [
        ("parts", PLANNER),
        ("relationships", "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e20"),
        ("agreements", "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e30"),
        ("sessions", INTEGRATION),
        ("measures", "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e70"),
    ];
    for (table, id) in cases {
        let problems = after_tampering(|conn| {
            conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
            let removed = conn
                .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])
                .unwrap();
            assert_eq!(removed, 1, "{table} {id}");
        });
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&format!("{id} is missing"))),
            "{table}: {problems:?}"
        );
    }
}

#[test]
fn a_whole_client_deleted_with_the_trail_is_caught() {
    let problems = after_tampering(|conn| {
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for table in [
            "note_revisions",
            "measures",
            "sessions",
            "agreements",
            "relationships",
            "parts",
        ] {
            let column = if table == "note_revisions" {
                "session_id IN (SELECT id FROM sessions WHERE client_id = ?1)"
            } else {
                "client_id = ?1"
            };
            conn.execute(&format!("DELETE FROM {table} WHERE {column}"), [CLIENT])
                .unwrap();
        }
        conn.execute("DELETE FROM clients WHERE id = ?1", [CLIENT])
            .unwrap();
        conn.execute("DELETE FROM audit_entries", []).unwrap();
        conn.execute("UPDATE vault_header SET audit_head = NULL", [])
            .unwrap();
    });
    assert!(!problems.is_empty());
}

/// The header row and the trail of a file, to put back into a newer copy.
fn header_and_length(path: &std::path::Path) -> (Vec<rusqlite::types::Value>, i64) {
    let conn = Connection::open(path).unwrap();
    let header = conn
        .query_row("SELECT * FROM vault_header", [], |r| {
            (0..r.as_ref().column_count())
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap();
    let length = conn
        .query_row("SELECT COUNT(*) FROM audit_entries", [], |r| r.get(0))
        .unwrap();
    (header, length)
}

fn put_back_header(conn: &Connection, header: &[rusqlite::types::Value]) {
    let placeholders = (1..=header.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.execute("DELETE FROM vault_header", []).unwrap();
    conn.execute(
        &format!("INSERT INTO vault_header VALUES ({placeholders})"),
        rusqlite::params_from_iter(header),
    )
    .unwrap();
}

#[test]
fn an_older_head_put_back_with_the_entries_after_it_removed_is_caught() {
    let (tv, mut vault) = vault_with_history();
    let older = tv.file("automatic-backup.kapnotes");
    vault.backup_to(&older, Overwrite::Refuse).unwrap();
    let mut part = vault.part(PLANNER).unwrap();
    part.name = "The Planner, after the backup".into();
    vault.update_part(part).unwrap();
    interchange::export(&vault, &ExportScope::Everything).unwrap();
    drop(vault);
    let (old_header, old_length) = header_and_length(&older);

    // The head alone, with every entry kept: the trail is longer than the head says.
    let conn = Connection::open(&tv.path).unwrap();
    let saved = header_and_length(&tv.path).0;
    put_back_header(&conn, &old_header);
    drop(conn);
    let problems = audit_problems(&tv.path);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cut short or rolled back")),
        "{problems:?}"
    );

    // The head with the entries after it removed: the rows written since betray it.
    let conn = Connection::open(&tv.path).unwrap();
    put_back_header(&conn, &saved);
    put_back_header(&conn, &old_header);
    conn.execute(
        "DELETE FROM audit_entries WHERE position > ?1",
        [old_length],
    )
    .unwrap();
    drop(conn);
    let problems = audit_problems(&tv.path);
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("part {PLANNER} is not the version"))),
        "{problems:?}"
    );
}

#[test]
fn a_header_from_before_a_passphrase_change_does_not_fit_the_newer_trail() {
    let (tv, mut vault) = vault_with_history();
    let older = tv.file("older.kapnotes");
    vault.backup_to(&older, Overwrite::Refuse).unwrap();
    vault.change_passphrase("a second passphrase here").unwrap();
    drop(vault);
    let (old_header, _) = header_and_length(&older);
    let conn = Connection::open(&tv.path).unwrap();
    put_back_header(&conn, &old_header);
    drop(conn);
    // The old passphrase opens the old header, but its head is not this trail's.
    let problems = audit_problems(&tv.path);
    assert!(!problems.is_empty());
}

#[test]
fn changing_the_recorded_format_makes_the_header_seal_fail() {
    for downgrade in [
        "PRAGMA user_version = 2",
        "PRAGMA user_version = 1; DROP TABLE audit_entries; DROP TABLE unlock_failures; ALTER TABLE vault_header DROP COLUMN audit_head",
    ] {
        let (tv, vault) = vault_with_history();
        drop(vault);
        Connection::open(&tv.path)
            .unwrap()
            .execute_batch(downgrade)
            .unwrap();
        let err = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite)
            .err()
            .unwrap();
        assert!(
            matches!(err, kapnotes::Error::DamagedHeader { .. }),
            "{downgrade}: {err}"
        );
    }
}

#[test]
fn the_unsealed_failed_unlock_counter_is_checked_never_copied() {
    let edits = [
        "UPDATE unlock_failures SET attempts = -5",
        "UPDATE unlock_failures SET first_at = char(27) || ']0;owned' || char(7)",
        "UPDATE unlock_failures SET attempts = 'many'",
        "UPDATE unlock_failures SET last_at = '2020-01-01T00:00:00+00:00'",
    ];
    for edit in edits {
        let (tv, vault) = vault_with_history();
        drop(vault);
        assert!(Vault::unlock(&tv.path, "wrong guess", Access::ReadOnly).is_err());
        Connection::open(&tv.path)
            .unwrap()
            .execute_batch(edit)
            .unwrap();
        let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
        let told = vault
            .failed_unlocks_before_this_unlock()
            .unwrap()
            .to_owned();
        assert!(told.contains("altered"), "{edit}: {told}");
        let trail = vault.audit_trail().unwrap();
        let entry = trail
            .entries
            .iter()
            .rev()
            .find(|e| e.action == AuditAction::FailedUnlocks)
            .unwrap();
        let detail = entry.detail.clone().unwrap();
        assert!(detail.contains("altered"), "{edit}: {detail}");
        assert!(
            !detail.chars().any(char::is_control) && !detail.contains("-5"),
            "{edit}: {detail:?}"
        );
        drop(vault);
        // Counting works again afterwards.
        assert!(Vault::unlock(&tv.path, "wrong again", Access::ReadOnly).is_err());
        let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
        assert!(
            vault
                .failed_unlocks_before_this_unlock()
                .is_some_and(|f| f.starts_with("1 failed attempt")),
            "{edit}"
        );
    }
}

#[test]
fn note_revisions_are_recorded_kept_and_pruned_and_one_removed_behind_kapnotes_back_is_caught() {
    let (tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    // Each save removes enough text to keep a revision: more than the 20 kept.
    for i in 0..24 {
        session.note = format!(
            "{i} {}",
            "A long draft that the next save shortens. ".repeat(3)
        );
        vault.update_session(session.clone()).unwrap();
        session.note = format!("{i}");
        vault.update_session(session.clone()).unwrap();
    }
    let trail = vault.audit_trail().unwrap();
    let revisions = |action| {
        trail
            .entries
            .iter()
            .filter(|e| e.action == action && e.record_kind.as_deref() == Some("note revision"))
            .count()
    };
    assert!(revisions(AuditAction::Created) > 20);
    assert_eq!(
        revisions(AuditAction::Created) - revisions(AuditAction::Deleted),
        vault.note_revisions(INTEGRATION).unwrap().len(),
        "every pruned revision is recorded"
    );
    drop(vault);
    assert!(audit_problems(&tv.path).is_empty());
    let problems = after_tampering_at(&tv.path, |conn| {
        conn.execute(
            "DELETE FROM note_revisions WHERE id = (SELECT MIN(id) FROM note_revisions)",
            [],
        )
        .unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("note revision")),
        "{problems:?}"
    );
}

fn after_tampering_at(path: &std::path::Path, tamper: impl FnOnce(&Connection)) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    tamper(&conn);
    drop(conn);
    audit_problems(path)
}

#[test]
fn every_path_that_writes_a_row_records_it() {
    let (tv, mut vault) = TestVault::with_example();
    vault
        .set_clinician(Some(&kapnotes::records::Clinician {
            name: "Dr. R. Vale".into(),
            credentials: None,
            license_number: None,
            practice: None,
        }))
        .unwrap();
    let profile = kapnotes::records::ClientProfile::new("B.C.");
    let other = profile.id.clone();
    vault.create_client(profile).unwrap();
    let mut session = kapnotes::records::Session::new(
        kapnotes::records::SessionKind::Therapy,
        ts("2026-05-01T10:00:00+00:00"),
    );
    let session_id = session.id.clone();
    session.note = "A first note that will be kept as a revision.".into();
    vault.create_session(&other, session.clone()).unwrap();
    session.note = "Short.".into();
    vault.update_session(session).unwrap();
    assert_eq!(vault.note_revisions(&session_id).unwrap().len(), 1);
    vault.delete_session(&session_id).unwrap();
    vault.set_clinician(None).unwrap();
    // The dosing-day thresholds: set, changed, and an import into a vault without any.
    let mut thresholds = kapnotes::rules::DosingThresholds::default();
    thresholds.set(kapnotes::rules::ThresholdKey::ObservationMinutes, 150);
    vault.set_thresholds(&thresholds).unwrap();
    thresholds.set(kapnotes::rules::ThresholdKey::Spo2WarnBelow, 93);
    vault.set_thresholds(&thresholds).unwrap();
    // Checked now: the re-keying below records every row anew.
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    let (_other_tv, mut other) = TestVault::new();
    let mut document: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    document["thresholds"] = serde_json::json!({"observation_minutes": 90});
    interchange::import(&mut other, &document.to_string()).unwrap();
    assert!(other.verify().unwrap().is_clean());
    drop(other);
    vault.rotate_data_key(PASSPHRASE).unwrap();
    vault
        .replace_every_secret(PASSPHRASE, "a second passphrase here")
        .unwrap();
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert!(report.trail_length > 0 && report.write_generation > 0);
    drop(vault);
    // And the app's restore: the restored vault's rows are all recorded too.
    let backup = tv.file("backup.kapnotes");
    kapnotes::vault::backup_file(&tv.path, &backup).unwrap();
    kapnotes::vault::replace_with_backup(&tv.path, &backup, "a second passphrase here").unwrap();
    let vault = Vault::unlock(&tv.path, "a second passphrase here", Access::ReadOnly).unwrap();
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

const FORMAT_2_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/vaults/format-2.kapnotes"
);

fn format_2_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("format-2.kapnotes");
    std::fs::copy(FORMAT_2_FIXTURE, &copy).unwrap();
    (dir, copy)
}

#[test]
fn a_format_2_vault_keeps_its_trail_and_records_the_rows_its_import_did_not() {
    // Committed from the kapnotes of issue 5: an import (one entry per client), note
    // edits, a data-key rotation, an edit after it, a signature.
    let (_dir, copy) = format_2_copy();
    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadOnly).unwrap();
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    let trail = vault.audit_trail().unwrap();
    assert_eq!(
        trail.entries[..7]
            .iter()
            .map(|e| e.action)
            .collect::<Vec<_>>(),
        [
            AuditAction::VaultCreated,
            AuditAction::Imported,
            AuditAction::Updated,
            AuditAction::Updated,
            AuditAction::DataKeyRotated,
            AuditAction::Updated,
            AuditAction::Signed,
        ],
        "the old trail is kept as it was"
    );
    assert_eq!(trail.entries[7].action, AuditAction::Upgraded);
    // Every row re-sealed under the format-3 key, and recorded; then the map's history,
    // started in the same upgrade, each of its rows recorded as created.
    let resealed = trail.entries[8..]
        .iter()
        .take_while(|e| e.action == AuditAction::Resealed)
        .count();
    assert!(resealed > 0, "every row re-sealed under the format-3 key");
    let history: Vec<_> = trail.entries[8 + resealed..]
        .iter()
        .take_while(|e| e.record_kind.as_deref() == Some("map history version"))
        .collect();
    assert!(
        !history.is_empty()
            && history.iter().all(|e| e.action == AuditAction::Created
                && e.client_id.as_deref() == Some(CLIENT)
                && e.content_sha256.is_some()),
        "the map's history starts at the upgrade"
    );
    assert_eq!(
        vault.part(SCROLLING).unwrap().name,
        "Scrolling, after the rotation"
    );
    drop(vault);
    // From now on a removed row is caught, the imported ones included.
    let problems = after_tampering_at(&copy, |conn| {
        conn.execute(
            "DELETE FROM measures WHERE id = '5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e70'",
            [],
        )
        .unwrap();
    });
    assert!(
        problems.iter().any(|p| p.contains("is missing")),
        "{problems:?}"
    );
}

#[test]
fn a_format_2_vault_whose_trail_was_emptied_is_never_upgraded_as_whole() {
    for tamper in [
        "DELETE FROM audit_entries; UPDATE vault_header SET audit_head = NULL",
        "DELETE FROM audit_entries WHERE position = 3",
    ] {
        let (_dir, copy) = format_2_copy();
        Connection::open(&copy)
            .unwrap()
            .execute_batch(tamper)
            .unwrap();
        let mut vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
        assert!(!vault.trail_problems().is_empty(), "{tamper}");
        assert!(vault.set_client_archived(CLIENT, true).is_err(), "{tamper}");
        assert!(!vault.verify().unwrap().is_clean(), "{tamper}");
        drop(vault);
        let version: i64 = Connection::open(&copy)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2, "{tamper}: left as it was");
    }
}
