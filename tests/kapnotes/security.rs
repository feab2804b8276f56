//! Keys and integrity: wrong passphrase, recovery key, passphrase change, and the
//! attacks the sealing must stop (a flipped byte, a moved ciphertext, an edited
//! plaintext column, an edited header), plus a scan for plaintext leaks.

use crate::common::*;
use kapnotes::records::*;
use kapnotes::search::SearchIndex;
use kapnotes::vault::Table;
use kapnotes::{Access, Error, ErrorKind, Vault};
use rusqlite::Connection;

/// Every sealed row and the header, to compare a vault before and after.
fn sealed_contents(path: &std::path::Path) -> Vec<Vec<u8>> {
    let conn = Connection::open(path).unwrap();
    let mut out = Vec::new();
    for table in Table::ALL {
        let mut stmt = conn
            .prepare(&format!("SELECT sealed FROM {} ORDER BY id", table.name()))
            .unwrap();
        out.extend(
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    for column in ["header_seal", "passphrase_wrapped_key", "audit_head"] {
        out.push(
            conn.query_row(&format!("SELECT {column} FROM vault_header"), [], |r| {
                r.get::<_, Option<Vec<u8>>>(0)
            })
            .unwrap()
            .unwrap_or_default(),
        );
    }
    out.extend(
        conn.prepare("SELECT CAST(sealed || mac AS BLOB) FROM audit_entries ORDER BY position")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap),
    );
    out
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_changes_nothing_but_the_failure_count() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    let before = sealed_contents(&tv.path);
    for access in [Access::ReadOnly, Access::ReadWrite] {
        let err = Vault::unlock(&tv.path, "not the passphrase", access)
            .err()
            .unwrap();
        assert!(matches!(err, Error::WrongPassphrase));
        assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
        assert!(err.to_string().contains("passphrase is not right"));
    }
    assert_eq!(sealed_contents(&tv.path), before);
    let counted: i64 = Connection::open(&tv.path)
        .unwrap()
        .query_row("SELECT attempts FROM unlock_failures", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counted, 2);
}

#[test]
fn the_recovery_key_unlocks_and_can_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.kapnotes");
    let (vault, recovery) = Vault::create_insecure_for_tests(&path, PASSPHRASE).unwrap();
    vault.lock();
    let shown = recovery.dangerously_reveal().to_string();
    let mut vault =
        Vault::unlock_with_recovery_key(&path, &shown.to_lowercase(), Access::ReadWrite).unwrap();
    vault.change_passphrase("a brand new passphrase").unwrap();
    let replacement = vault.regenerate_recovery_key().unwrap();
    vault.lock();

    assert!(matches!(
        Vault::unlock_with_recovery_key(&path, &shown, Access::ReadOnly),
        Err(Error::WrongRecoveryKey)
    ));
    assert!(matches!(
        Vault::unlock_with_recovery_key(&path, "ABCD-EFGH", Access::ReadOnly),
        Err(Error::MalformedRecoveryKey)
    ));
    let other = kapnotes::crypto::RecoveryKey::generate().unwrap();
    assert!(matches!(
        Vault::unlock_with_recovery_key(&path, &other.dangerously_reveal(), Access::ReadOnly),
        Err(Error::WrongRecoveryKey)
    ));
    Vault::unlock_with_recovery_key(&path, &replacement.dangerously_reveal(), Access::ReadOnly)
        .unwrap();
    Vault::unlock(&path, "a brand new passphrase", Access::ReadOnly).unwrap();
    assert!(Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).is_err());
}

#[test]
fn changing_the_passphrase_rewraps_without_reencrypting_records() {
    let (tv, mut vault) = TestVault::with_example();
    let sealed_before = sealed_columns(&tv.path);
    assert!(matches!(
        vault.change_passphrase("short"),
        Err(Error::WeakPassphrase { .. })
    ));
    vault.change_passphrase("another long passphrase").unwrap();
    vault.lock();
    assert_eq!(
        sealed_columns(&tv.path),
        sealed_before,
        "records are not re-encrypted"
    );
    assert!(matches!(
        Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly),
        Err(Error::WrongPassphrase)
    ));
    let vault = Vault::unlock(&tv.path, "another long passphrase", Access::ReadOnly).unwrap();
    assert_eq!(vault.client(CLIENT).unwrap().sessions.len(), 3);
    assert!(vault.verify().unwrap().is_clean());
}

#[test]
fn a_new_vault_refuses_a_short_passphrase_and_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.kapnotes");
    assert!(matches!(
        Vault::create_insecure_for_tests(&path, "short"),
        Err(Error::WeakPassphrase { .. })
    ));
    assert!(!path.exists(), "nothing is left behind");
    std::fs::write(&path, b"precious").unwrap();
    assert!(matches!(
        Vault::create_insecure_for_tests(&path, PASSPHRASE),
        Err(Error::AlreadyExists(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

/// Every (table, id, sealed) in the file.
fn sealed_columns(path: &std::path::Path) -> Vec<(String, String, Vec<u8>)> {
    let conn = Connection::open(path).unwrap();
    let mut out = Vec::new();
    for table in Table::ALL {
        let sql = format!("SELECT id, sealed FROM {} ORDER BY id", table.name());
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map([], |r| Ok((table.name().to_owned(), r.get(0)?, r.get(1)?)))
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn write_sealed(path: &std::path::Path, table: &str, id: &str, sealed: &[u8]) {
    let conn = Connection::open(path).unwrap();
    conn.execute(
        &format!("UPDATE {table} SET sealed = ?1 WHERE id = ?2"),
        rusqlite::params![sealed, id],
    )
    .unwrap();
}

fn problems(tv: &TestVault) -> Vec<kapnotes::vault::Problem> {
    Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .unwrap()
        .verify()
        .unwrap()
        .problems
}

#[test]
fn a_flipped_byte_in_any_sealed_column_is_detected() {
    let (tv, mut vault) = TestVault::with_example();
    // Give every table at least one row: a note revision, a group (and its history),
    // an attachment and the clinician setting.
    vault
        .create_group(
            CLIENT,
            PartGroup {
                id: new_id(),
                name: "Inner family".into(),
                parts: vec![LITTLE_ONE.into()],
                folded: false,
            },
        )
        .unwrap();
    // An acknowledgement (records' migration).
    vault
        .acknowledge_finding(
            CLIENT,
            "consent-missing",
            DOSING,
            "On paper.",
            chrono::DateTime::parse_from_rfc3339("2026-05-10T23:59:59+00:00").unwrap(),
        )
        .unwrap();
    vault
        .log_amendment_request(
            CLIENT,
            date("2026-05-01"),
            kapnotes::records::AmendmentTarget::SessionNote {
                session: DOSING.into(),
            },
            "Please change it.",
        )
        .unwrap();
    let mut session = vault.session(INTEGRATION).unwrap();
    session.note = "first".into();
    vault.update_session(session.clone()).unwrap();
    session.note = "second".into();
    vault.update_session(session).unwrap();
    let consent = [&b"%PDF-1.4\n"[..], &[7u8; 300][..]].concat();
    vault
        .attach(
            &kapnotes::vault::NewAttachment::new(CLIENT, kapnotes::records::AttachmentKind::Other),
            &mut &consent[..],
            consent.len() as u64,
        )
        .unwrap();
    vault
        .set_clinician(Some(&Clinician {
            name: "Sam".into(),
            credentials: None,
            license_number: None,
            practice: None,
        }))
        .unwrap();
    vault.lock();

    let rows = sealed_columns(&tv.path);
    for table in Table::ALL {
        assert!(
            rows.iter().any(|(t, _, _)| t == table.name()),
            "no {} row to tamper with",
            table.name()
        );
    }
    assert!(problems(&tv).is_empty());
    for (table, id, sealed) in &rows {
        // The version byte, the nonce, the ciphertext and the tag, each in turn.
        for position in [0, 5, sealed.len() / 2, sealed.len() - 1] {
            let mut flipped = sealed.clone();
            flipped[position] ^= 0x20;
            write_sealed(&tv.path, table, id, &flipped);
            let found = problems(&tv);
            assert_eq!(found.len(), 1, "{table}/{id} byte {position}: {found:?}");
            assert_eq!(
                found[0].record.as_deref(),
                Some(format!("{table}/{id}").as_str())
            );
            write_sealed(&tv.path, table, id, sealed);
        }
    }
    assert!(problems(&tv).is_empty());
}

#[test]
fn a_tampered_record_is_reported_not_returned() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    let rows = sealed_columns(&tv.path);
    let (_, _, sealed) = rows
        .iter()
        .find(|(t, id, _)| t == "sessions" && id == DOSING)
        .unwrap();
    let mut flipped = sealed.clone();
    flipped[20] ^= 1;
    write_sealed(&tv.path, "sessions", DOSING, &flipped);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    match vault.session(DOSING) {
        Err(Error::TamperedRecord { table, id }) => {
            assert_eq!((table, id.as_str()), ("sessions", DOSING))
        }
        other => panic!("expected a tampered-record error, got {other:?}"),
    }
    let err = vault.client(CLIENT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity);
    assert!(err.to_string().contains(DOSING));
}

#[test]
fn a_ciphertext_moved_to_another_row_table_or_vault_does_not_open() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    let rows = sealed_columns(&tv.path);
    let sealed_of = |table: &str, id: &str| {
        rows.iter()
            .find(|(t, i, _)| t == table && i == id)
            .unwrap()
            .2
            .clone()
    };

    // Another row of the same table.
    write_sealed(
        &tv.path,
        "sessions",
        INTEGRATION,
        &sealed_of("sessions", PREPARATION),
    );
    let found = problems(&tv);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].record.as_deref(),
        Some(format!("sessions/{INTEGRATION}").as_str())
    );
    write_sealed(
        &tv.path,
        "sessions",
        INTEGRATION,
        &sealed_of("sessions", INTEGRATION),
    );

    // A row of another table with the same shape.
    let conn = Connection::open(&tv.path).unwrap();
    conn.execute(
        "INSERT INTO measures (id, client_id, creation_order, revision, sealed) VALUES (?1, ?2, 99, 1, ?3)",
        rusqlite::params![PLANNER, CLIENT, sealed_of("parts", PLANNER)],
    )
    .unwrap();
    drop(conn);
    assert_eq!(problems(&tv).len(), 1);
    Connection::open(&tv.path)
        .unwrap()
        .execute("DELETE FROM measures WHERE id = ?1", [PLANNER])
        .unwrap();
    assert!(problems(&tv).is_empty());

    // The same record id in another vault (same example imported there).
    let (other, other_vault) = TestVault::with_example();
    other_vault.lock();
    write_sealed(
        &other.path,
        "sessions",
        DOSING,
        &sealed_of("sessions", DOSING),
    );
    assert_eq!(problems(&other).len(), 1);
}

#[test]
fn an_edited_plaintext_column_is_detected() {
    let (tv, mut vault) = TestVault::with_example();
    let mut second = ClientProfile::new("Second");
    second.created_at = ts("2026-05-01T00:00:00+00:00");
    let second_id = second.id.clone();
    vault.create_client(second).unwrap();
    vault.lock();
    let edits = [
        format!("UPDATE parts SET client_id = '{second_id}' WHERE id = '{PLANNER}'"),
        format!("UPDATE sessions SET revision = revision + 1 WHERE id = '{DOSING}'"),
        format!("UPDATE parts SET creation_order = 1000 WHERE id = '{LITTLE_ONE}'"),
        format!("UPDATE clients SET creation_order = 77 WHERE id = '{CLIENT}'"),
    ];
    for edit in edits {
        let original = std::fs::read(&tv.path).unwrap();
        Connection::open(&tv.path)
            .unwrap()
            .execute(&edit, [])
            .unwrap();
        assert!(!problems(&tv).is_empty(), "not detected: {edit}");
        std::fs::write(&tv.path, original).unwrap();
        assert!(problems(&tv).is_empty());
    }
}

#[test]
fn an_edited_header_is_detected() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    let edit = |sql: &str| {
        Connection::open(&tv.path)
            .unwrap()
            .execute(sql, [])
            .unwrap()
    };
    let original = std::fs::read(&tv.path).unwrap();

    edit("UPDATE vault_header SET recovery_wrapped_key = zeroblob(61)");
    let err = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::DamagedHeader { .. }), "{err}");
    std::fs::write(&tv.path, &original).unwrap();

    // Weakening the key derivation does not make unlocking succeed.
    edit("UPDATE vault_header SET kdf_iterations = 2");
    assert!(Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).is_err());
    std::fs::write(&tv.path, &original).unwrap();

    // A crafted header asking for absurd work is refused before any work is done.
    edit("UPDATE vault_header SET kdf_memory_kib = 100000000");
    let err = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::DamagedHeader { .. }), "{err}");
    std::fs::write(&tv.path, &original).unwrap();

    Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
}

#[test]
fn no_clinical_text_reaches_the_disk_in_plaintext() {
    let (tv, mut vault) = TestVault::new();
    let mut index = SearchIndex::new();
    let secrets = [
        "Quillfeather Marigold",               // client name
        "zephyrine-anxiety-words",             // client notes
        "Obsidian Lantern Keeper",             // part name
        "afraid of the violet tide",           // fears
        "I want to hear the cello",            // intention
        "Thistledown journey note",            // session note (and its revisions)
        "the protector asked for amber light", // check-in request
        "Mirabelle Support",                   // support person
        "ambrosial safety follow-up",          // measure follow-up
    ];
    let mut profile = ClientProfile::new(secrets[0]);
    profile.notes = secrets[1].into();
    let client_id = profile.id.clone();
    vault.create_client(profile).unwrap();
    let mut part = Part::new(secrets[2], PartRole::Manager);
    part.fears = secrets[3].into();
    vault.create_part(&client_id, part.clone()).unwrap();
    let mut session = dosing_session("2026-05-01");
    session.setting = Setting::Telehealth;
    session.support_person = Some(secrets[7].into());
    session.intentions.push(Intention {
        id: new_id(),
        text: secrets[4].into(),
        part: None,
    });
    session.checkin = Some(CheckIn {
        at: ts("2026-05-01T14:01:00+02:00"),
        responses: vec![CheckInResponse {
            part: part.id.clone(),
            signal: Signal::Yellow,
            concerns: String::new(),
            requests: secrets[6].into(),
        }],
        decision: Decision::Proceed,
        decision_note: String::new(),
    });
    vault.create_session(&client_id, session.clone()).unwrap();
    for i in 0..5 {
        session.note = format!("{} {i} {}", secrets[5], "x".repeat(60 - i * 12));
        vault.update_session(session.clone()).unwrap();
    }
    vault
        .create_measure(
            &client_id,
            Measure {
                id: new_id(),
                instrument: Instrument::Phq9,
                taken_on: date("2026-05-01"),
                answers: vec![Some(1); 9],
                session: None,
                safety_follow_up: Some(SafetyFollowUp {
                    at: ts("2026-05-01T15:00:00+02:00"),
                    note: secrets[8].into(),
                }),
            },
        )
        .unwrap();
    assert!(
        !index
            .search(&vault, "thistledown", None)
            .unwrap()
            .is_empty()
    );
    assert!(!vault.note_revisions(&session.id).unwrap().is_empty());

    let backup = tv.file("backup.kapnotes");
    kapnotes::vault::backup_file(&tv.path, &backup).unwrap();
    // Scan while the vault is open (WAL not yet checkpointed) and after closing it.
    let mut scans = vec![read_all_bytes(&tv.path), std::fs::read(&backup).unwrap()];
    vault.lock();
    scans.push(read_all_bytes(&tv.path));

    let vault_id = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly)
        .unwrap()
        .vault_id()
        .to_owned();
    for bytes in &scans {
        assert!(
            contains(bytes, vault_id.as_bytes()),
            "positive control: the scan sees plaintext columns"
        );
        for secret in secrets {
            assert!(
                !contains(bytes, secret.as_bytes()),
                "{secret:?} found in plaintext"
            );
            assert!(
                !contains(bytes, secret.to_lowercase().as_bytes()),
                "{secret:?} found folded"
            );
        }
    }
}

#[test]
fn rotating_the_data_key_reseals_everything_and_keeps_old_backups_readable() {
    let (tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    session.note = "a note long enough to be kept as a revision when it is removed".into();
    vault.update_session(session.clone()).unwrap();
    session.note.clear();
    vault.update_session(session).unwrap();
    let expected = export_value(&vault);
    let before = sealed_columns(&tv.path);
    let old_backup = tv.file("before-rotation.kapnotes");
    kapnotes::vault::backup_file(&tv.path, &old_backup).unwrap();

    assert!(matches!(
        vault.rotate_data_key("not the passphrase"),
        Err(Error::WrongPassphrase)
    ));
    assert_eq!(
        sealed_columns(&tv.path),
        before,
        "a refused rotation changes nothing"
    );
    let recovery = vault.rotate_data_key(PASSPHRASE).unwrap();
    assert_eq!(
        export_value(&vault),
        expected,
        "the records read the same in the same session"
    );
    vault.lock();

    let after = sealed_columns(&tv.path);
    assert_eq!(after.len(), before.len());
    for ((table, id, old), (_, _, new)) in before.iter().zip(&after) {
        assert_ne!(old, new, "{table}/{id} was not resealed");
    }
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(vault.verify().unwrap().is_clean());
    assert_eq!(export_value(&vault), expected);
    assert_eq!(vault.note_revisions(INTEGRATION).unwrap().len(), 1);
    drop(vault);
    Vault::unlock_with_recovery_key(&tv.path, &recovery.dangerously_reveal(), Access::ReadOnly)
        .unwrap();

    // A backup of before still opens with the passphrase of its day, under its old key.
    let restored = tv.file("restored.kapnotes");
    kapnotes::vault::restore_backup(&old_backup, &restored, PASSPHRASE).unwrap();
    // A ciphertext from before the rotation no longer opens in the rotated vault.
    let (_, id, old_sealed) = before.iter().find(|(t, _, _)| t == "sessions").unwrap();
    write_sealed(&tv.path, "sessions", id, old_sealed);
    assert_eq!(problems(&tv).len(), 1);
}
