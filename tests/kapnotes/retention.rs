//! Retention and disposal (issue 12): the clients past their retention date, and the
//! deliberate disposal of one: the passphrase asked, every row of theirs in every
//! client table deleted, a tombstone in the trail, verify and the unlock check content.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::records::{AmendmentTarget, AttachmentKind, Date, Session, SessionKind};
use kapnotes::rules::RetentionPeriods;
use kapnotes::rules::{Severity, check_client};
use kapnotes::vault::{AmendmentDenial, AuditAction, NewAttachment, Table};
use kapnotes::{Access, Vault};

/// parts-over-time.json ten years earlier: a client with a record in every client table
/// (parts, relationships, agreements, sessions, measures, groups, the map's history),
/// whose retention ended in 2023.
fn old_practice() -> (TestVault, Vault) {
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &PARTS_OVER_TIME.replace("2026-", "2016-")).unwrap();
    // A note revision too: an unsigned note edited twice.
    let mut session = Session::new(SessionKind::Therapy, ts("2016-09-01T10:00:00+02:00"));
    session.note = "First thoughts.".into();
    vault.create_session(CLIENT, session.clone()).unwrap();
    session.note = "Second thoughts, longer.".into();
    vault.update_session(session.clone()).unwrap();
    // An amendment request and an acknowledged finding, so their tables hold rows too.
    let request = vault
        .log_amendment_request(
            CLIENT,
            Date::parse("2016-10-01").unwrap(),
            AmendmentTarget::SessionNote {
                session: session.id.clone(),
            },
            "The date of the first session is wrong.",
        )
        .unwrap();
    // Decided: an undecided request would hold disposal back.
    vault
        .deny_amendment_request(
            CLIENT,
            &request.id,
            Date::parse("2016-10-20").unwrap(),
            AmendmentDenial {
                basis: "The date is right.".into(),
                statement_of_disagreement: None,
                rebuttal: None,
            },
        )
        .unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2016-12-31T23:59:59+00:00").unwrap();
    let client = vault.client(CLIENT).unwrap();
    let open = check_client(&client, as_of, &vault.rule_settings().unwrap());
    let warning = open
        .iter()
        .find(|f| f.severity != Severity::Stop)
        .expect("a warning or note to acknowledge");
    vault
        .acknowledge_finding(CLIENT, warning.code, &warning.record_id, "Seen.", as_of)
        .unwrap();
    // And an attached file, so the attachments and their chunks are covered too.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n a scan of a letter";
    vault
        .attach(
            &NewAttachment::new(CLIENT, AttachmentKind::PrescriberLetter),
            &mut &png[..],
            png.len() as u64,
        )
        .unwrap();
    (tv, vault)
}

/// Rows naming `client` in the file, table by table: any column `client_id`, and any
/// `session_id` of theirs (read from the file, so a table added later is counted).
fn rows_of(path: &std::path::Path, client: &str, sessions: &[String]) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut count: i64 = 0;
        if columns.iter().any(|c| c == "client_id") {
            count += conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE client_id = ?1"),
                    [client],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap();
        }
        if columns.iter().any(|c| c == "session_id") {
            for session in sessions {
                count += conn
                    .query_row(
                        &format!("SELECT COUNT(*) FROM {table} WHERE session_id = ?1"),
                        [session],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap();
            }
        }
        if table == "clients" {
            count += conn
                .query_row(
                    "SELECT COUNT(*) FROM clients WHERE id = ?1",
                    [client],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap();
        }
        if count > 0 {
            found.push((table, count));
        }
    }
    found
}

#[test]
fn retention_is_a_sealed_audited_setting_and_lists_the_clients_past_it() {
    let (tv, mut vault) = TestVault::with_example();
    assert!(vault.retention_periods().unwrap().is_default());
    let list = vault.retention_list().unwrap();
    assert_eq!(list.len(), 1);
    // The example's last session is in 2026: kept until 2033.
    assert!(
        list[0].retain_until.to_string().starts_with("2033-"),
        "{list:?}"
    );
    assert!(vault.past_retention().unwrap().is_empty());
    let periods = RetentionPeriods {
        years_after_last_session: 10,
        years_after_majority: 5,
        age_of_majority: 19,
    };
    vault.set_retention_periods(&periods).unwrap();
    let entry = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(entry.record_id.as_deref(), Some("retention"));
    drop(vault);
    assert!(
        !contains(&read_all_bytes(&tv.path), b"years_after"),
        "stored sealed"
    );
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(vault.retention_periods().unwrap(), periods);
    assert!(
        vault.retention_list().unwrap()[0]
            .retain_until
            .to_string()
            .starts_with("2036-")
    );
    let bad = RetentionPeriods {
        years_after_last_session: 0,
        ..periods
    };
    let e = vault.set_retention_periods(&bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("/retention/years_after_last_session"),
        "{e}"
    );
    // Carried in the whole-vault export, taken by a vault with none of its own.
    let text = interchange::export(&vault, &kapnotes::ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    assert!(text.contains("\"retention\""));
    let (_tv2, mut other) = TestVault::new();
    interchange::import(&mut other, &text).unwrap();
    assert_eq!(other.retention_periods().unwrap(), periods);
}

#[test]
fn disposal_deletes_every_row_of_the_client_in_every_table_and_leaves_a_tombstone() {
    let (tv, mut vault) = old_practice();
    let past = vault.past_retention().unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(past[0].client_id, CLIENT);
    let sessions: Vec<String> = vault
        .client(CLIENT)
        .unwrap()
        .sessions
        .iter()
        .map(|s| s.id.clone())
        .collect();
    // Every client table holds something of theirs, so the check below means something.
    let before: Vec<String> = rows_of(&tv.path, CLIENT, &sessions)
        .into_iter()
        .map(|(table, _)| table)
        .collect();
    for table in Table::ALL.iter().filter(|t| **t != Table::Settings) {
        assert!(
            before.contains(&table.name().to_owned()),
            "{} in {before:?}",
            table.name()
        );
    }
    let preview = vault.disposal_preview(CLIENT, None).unwrap();
    assert!(preview.past_retention);
    assert!(preview.records.iter().any(|c| c.kind == "note revision"));
    assert!(
        vault
            .client(CLIENT)
            .unwrap()
            .sessions
            .iter()
            .any(|s| s.signed_at.is_some())
    );

    // The passphrase is asked again; a wrong one deletes nothing.
    assert!(vault.dispose_client(CLIENT, "not the passphrase").is_err());
    assert!(vault.client(CLIENT).is_ok());
    let deleted = vault.dispose_client(CLIENT, PASSPHRASE).unwrap();
    assert_eq!(deleted, preview.records);

    assert_eq!(rows_of(&tv.path, CLIENT, &sessions), Vec::new());
    assert!(vault.client(CLIENT).is_err());
    let tombstone = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(tombstone.action, AuditAction::Disposed);
    assert_eq!(tombstone.record_id.as_deref(), Some(CLIENT));
    let detail = tombstone.detail.unwrap();
    assert!(
        detail.contains("1 client") && detail.contains("sessions"),
        "{detail}"
    );
    assert!(
        !detail.contains("Jordan"),
        "no name in the tombstone: {detail}"
    );
    assert!(vault.verify().unwrap().problems.is_empty());
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
}

#[test]
fn a_client_within_retention_is_not_disposed_of() {
    let (_tv, mut vault) = TestVault::with_example();
    let e = vault.dispose_client(CLIENT, PASSPHRASE).unwrap_err();
    assert!(e.to_string().contains("must be kept until 2033-"), "{e}");
    assert!(vault.client(CLIENT).is_ok());
}

#[test]
fn the_confirmation_names_the_automatic_backups_taken_since_the_client_came_in() {
    let (tv, vault) = old_practice();
    let folder = tv.file("backups");
    std::fs::create_dir(&folder).unwrap();
    // One from before the client came into this vault, two since.
    for name in [
        "kapnotes-backup-2001-01-01T00-00-00.kapnotes",
        "kapnotes-backup-2999-01-01T10-00-00.kapnotes",
        "kapnotes-backup-2999-01-02T10-00-00.kapnotes",
    ] {
        std::fs::write(folder.join(name), b"sealed").unwrap();
    }
    let preview = vault.disposal_preview(CLIENT, Some(&folder)).unwrap();
    let names: Vec<_> = preview
        .backups
        .iter()
        .map(|b| b.file_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "kapnotes-backup-2999-01-02T10-00-00.kapnotes",
            "kapnotes-backup-2999-01-01T10-00-00.kapnotes"
        ]
    );
}
