//! Encrypted attachments: sealed in chunks bound to their attachment and position,
//! covered by the trail, checked by verify, carried by backups and key rotations.

use crate::common::*;
use kapnotes::records::{AttachmentKind, MAX_ATTACHMENT_BYTES, MediaType};
use kapnotes::vault::{AuditAction, CHUNK_BYTES, NewAttachment, Overwrite, backup_file};
use kapnotes::{Access, ErrorKind, Vault};
use rusqlite::Connection;
use std::io::Read;

/// A PDF-looking file of `len` bytes holding `marker` (every byte determined by the
/// position, so a chunk out of place shows).
fn pdf_bytes(len: usize, marker: &str) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend_from_slice(marker.as_bytes());
    let mut i: u32 = 0;
    while bytes.len() < len {
        i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((i >> 16) as u8);
    }
    bytes.truncate(len);
    bytes
}

fn attach_bytes(
    vault: &mut Vault,
    new: &NewAttachment,
    bytes: &[u8],
) -> kapnotes::Result<kapnotes::records::Attachment> {
    vault.attach(new, &mut &bytes[..], bytes.len() as u64)
}

fn read_back(vault: &Vault, id: &str) -> Vec<u8> {
    let mut out = Vec::new();
    vault.read_attachment(id, &mut out).unwrap();
    out
}

fn verify_clean(vault: &Vault) {
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

fn sql(path: &std::path::Path, statement: &str) {
    Connection::open(path)
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

fn trail_length(vault: &Vault) -> usize {
    vault.audit_trail().unwrap().entries.len()
}

#[test]
fn a_file_of_several_chunks_comes_back_as_it_went_in() {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(CHUNK_BYTES * 2 + 1234, "letter");
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::PrescriberLetter);
    new.session_id = Some(DOSING.into());
    new.file_name = Some("Letter from Dr Okafor.pdf".into());
    new.document_date = Some(date("2026-03-02"));
    let before = trail_length(&vault);
    let attached = attach_bytes(&mut vault, &new, &bytes).unwrap();
    assert_eq!(attached.title, "Letter from Dr Okafor");
    assert_eq!(attached.media_type, MediaType::Pdf);
    assert_eq!(attached.size, bytes.len() as u64);
    assert_eq!(attached.session_id.as_deref(), Some(DOSING));
    // One entry for the attachment (its chunks are covered by it).
    let trail = vault.audit_trail().unwrap();
    assert_eq!(trail.entries.len(), before + 1);
    let entry = trail.entries.last().unwrap();
    assert_eq!(entry.action, AuditAction::Created);
    assert_eq!(entry.record_kind.as_deref(), Some("attachment"));
    assert_eq!(read_back(&vault, &attached.id), bytes);
    assert_eq!(
        vault.attachments(Some(CLIENT)).unwrap(),
        vec![attached.clone()]
    );
    let chunks: i64 = Connection::open(&tv.path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks, 3);
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
    assert_eq!(read_back(&vault, &attached.id), bytes);
}

#[test]
fn what_is_not_kept_is_refused_before_anything_is_written() {
    let (tv, mut vault) = TestVault::with_example();
    let new = NewAttachment::new(CLIENT, AttachmentKind::Other);
    let before = trail_length(&vault);
    let size_before = std::fs::metadata(&tv.path).unwrap().len();
    // Too large: refused from the size alone, nothing read.
    let mut endless = std::io::repeat(b'%');
    let e = vault
        .attach(&new, &mut endless, MAX_ATTACHMENT_BYTES + 1)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused);
    assert!(e.to_string().contains("larger than 25 MB"), "{e}");
    // Not a PDF, JPEG or PNG (a name says nothing).
    let e = attach_bytes(&mut vault, &new, b"GIF89a not kept").unwrap_err();
    assert!(e.to_string().starts_with("Only PDF, JPEG and PNG"), "{e}");
    let e = attach_bytes(&mut vault, &new, b"").unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    // Shorter than said, or longer: the file changed while read.
    let bytes = pdf_bytes(CHUNK_BYTES + 10, "short");
    let e = vault
        .attach(&new, &mut &bytes[..], bytes.len() as u64 + 5)
        .unwrap_err();
    assert!(e.to_string().contains("changed while"), "{e}");
    let e = vault
        .attach(&new, &mut &bytes[..], bytes.len() as u64 - 5)
        .unwrap_err();
    assert!(e.to_string().contains("changed while"), "{e}");
    // A session of another client, or none at all.
    let mut elsewhere = new.clone();
    elsewhere.session_id = Some("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4eff".into());
    assert_eq!(
        attach_bytes(&mut vault, &elsewhere, &bytes)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let mut bad_title = new.clone();
    bad_title.title = Some("Consent\u{202E}".into());
    assert_eq!(
        attach_bytes(&mut vault, &bad_title, &bytes)
            .unwrap_err()
            .kind(),
        ErrorKind::Rejected
    );
    assert_eq!(trail_length(&vault), before);
    assert!(vault.attachments(None).unwrap().is_empty());
    let chunks: i64 = Connection::open(&tv.path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks, 0);
    assert!(std::fs::metadata(&tv.path).unwrap().len() <= size_before + 4096 * 4);
}

#[test]
fn images_are_told_by_their_content() {
    let (_tv, mut vault) = TestVault::with_example();
    let new = NewAttachment::new(CLIENT, AttachmentKind::LabOrEcg);
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 40]].concat();
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[1u8; 40]].concat();
    assert_eq!(
        attach_bytes(&mut vault, &new, &png).unwrap().media_type,
        MediaType::Png
    );
    assert_eq!(
        attach_bytes(&mut vault, &new, &jpeg).unwrap().media_type,
        MediaType::Jpeg
    );
}

/// Attaches a three-chunk file and closes the vault; returns its id and bytes.
fn vault_with_three_chunks() -> (TestVault, String, Vec<u8>) {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(CHUNK_BYTES * 3, "three");
    let new = NewAttachment::new(CLIENT, AttachmentKind::Other);
    let id = attach_bytes(&mut vault, &new, &bytes).unwrap().id;
    // A second attachment whose chunks can be moved into the first.
    attach_bytes(&mut vault, &new, &pdf_bytes(CHUNK_BYTES * 3, "other")).unwrap();
    drop(vault);
    (tv, id, bytes)
}

#[test]
fn chunks_swapped_reordered_dropped_altered_or_moved_are_caught() {
    let tampering = [
        ("swapped", "UPDATE attachment_chunks SET position = 9 WHERE attachment_id = '{id}' AND position = 0;
          UPDATE attachment_chunks SET position = 0 WHERE attachment_id = '{id}' AND position = 1;
          UPDATE attachment_chunks SET position = 1 WHERE attachment_id = '{id}' AND position = 9;"),
        ("dropped", "DELETE FROM attachment_chunks WHERE attachment_id = '{id}' AND position = 2;"),
        ("added", "INSERT INTO attachment_chunks (attachment_id, position, sealed)
          SELECT attachment_id, 3, sealed FROM attachment_chunks WHERE attachment_id = '{id}' AND position = 2;"),
        ("altered",
            "UPDATE attachment_chunks SET sealed = CAST(substr(sealed, 1, 100) || x'00' || substr(sealed, 102) AS BLOB)
          WHERE attachment_id = '{id}' AND position = 1;",
        ),
        (
            "replaced",
            "UPDATE attachment_chunks SET sealed = randomblob(length(sealed))
          WHERE attachment_id = '{id}' AND position = 1;",
        ),
        ("moved from another", "UPDATE attachment_chunks SET sealed = (SELECT sealed FROM attachment_chunks
          WHERE attachment_id <> '{id}' AND position = 1) WHERE attachment_id = '{id}' AND position = 1;"),
        ("orphaned", "PRAGMA foreign_keys = OFF; INSERT INTO attachment_chunks (attachment_id, position, sealed)
          SELECT 'not-an-attachment', position, sealed FROM attachment_chunks WHERE attachment_id = '{id}';"),
    ];
    for (what, statement) in tampering {
        let (tv, id, _) = vault_with_three_chunks();
        // Deferred foreign keys are off in this plain connection, as for anyone editing the file.
        sql(&tv.path, &statement.replace("{id}", &id));
        let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            !vault.trail_problems().is_empty(),
            "{what}: unlock saw nothing"
        );
        assert!(
            !vault.verify().unwrap().is_clean(),
            "{what}: verify saw nothing"
        );
        if what != "orphaned" && what != "added" {
            let mut out = Vec::new();
            let e = vault.read_attachment(&id, &mut out).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Integrity, "{what}");
        }
    }
}

#[test]
fn a_detached_file_is_a_recorded_deletion_and_gone_from_the_file() {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(CHUNK_BYTES + 77, "detach-me-marker-3f1c");
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &bytes,
    )
    .unwrap()
    .id;
    vault.detach(&id).unwrap();
    let entry = vault.audit_trail().unwrap().entries.last().unwrap().clone();
    assert_eq!(entry.action, AuditAction::Deleted);
    assert_eq!(entry.record_id.as_deref(), Some(id.as_str()));
    assert!(vault.attachments(None).unwrap().is_empty());
    assert_eq!(
        vault.attachment(&id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
}

#[test]
fn an_attachment_put_back_after_its_deletion_is_caught() {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(1000, "back");
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &bytes,
    )
    .unwrap()
    .id;
    drop(vault);
    let copy = tv.file("before-detach.kapnotes");
    std::fs::copy(&tv.path, &copy).unwrap();
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    vault.detach(&id).unwrap();
    drop(vault);
    // Copy the rows back from the older file.
    sql(
        &tv.path,
        &format!(
            "ATTACH '{}' AS old;
             INSERT INTO attachments SELECT * FROM old.attachments;
             INSERT INTO attachment_chunks SELECT * FROM old.attachment_chunks;",
            copy.display()
        ),
    );
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault
            .trail_problems()
            .iter()
            .any(|p| p.contains("was deleted")),
        "{:?}",
        vault.trail_problems()
    );
}

#[test]
fn a_consent_form_sets_when_consent_was_signed_and_clears_the_finding() {
    let (_tv, mut vault) = TestVault::with_example();
    let findings = |vault: &Vault| {
        kapnotes::rules::check_client(
            &vault.client(CLIENT).unwrap(),
            kapnotes::records::Timestamp::now().instant(),
            &vault.rule_settings().unwrap(),
        )
        .into_iter()
        .filter(|f| f.code == "consent-missing")
        .count()
    };
    assert!(
        vault
            .client(CLIENT)
            .unwrap()
            .profile
            .consent_signed_on
            .is_none()
    );
    assert!(findings(&vault) > 0);
    // Another kind leaves it alone.
    attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &pdf_bytes(500, "x"),
    )
    .unwrap();
    assert!(
        vault
            .client(CLIENT)
            .unwrap()
            .profile
            .consent_signed_on
            .is_none()
    );
    let before = trail_length(&vault);
    let mut consent = NewAttachment::new(CLIENT, AttachmentKind::Consent);
    consent.document_date = Some(date("2026-01-10"));
    attach_bytes(&mut vault, &consent, &pdf_bytes(500, "consent")).unwrap();
    assert_eq!(
        vault.client(CLIENT).unwrap().profile.consent_signed_on,
        Some(date("2026-01-10"))
    );
    assert_eq!(findings(&vault), 0);
    // The profile's change and the attachment: one transaction, an entry each.
    let trail = vault.audit_trail().unwrap();
    let kinds: Vec<_> = trail.entries[before..]
        .iter()
        .map(|e| e.record_kind.clone().unwrap())
        .collect();
    assert_eq!(kinds, ["client", "attachment"]);
    // A later consent (renewed) keeps the earlier date.
    consent.document_date = Some(date("2026-09-01"));
    attach_bytes(&mut vault, &consent, &pdf_bytes(500, "renewed")).unwrap();
    assert_eq!(
        vault.client(CLIENT).unwrap().profile.consent_signed_on,
        Some(date("2026-01-10"))
    );
    // With no date given: the day it was attached.
    let (_tv, mut vault) = TestVault::with_example();
    attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Consent),
        &pdf_bytes(500, "today"),
    )
    .unwrap();
    assert_eq!(
        vault.client(CLIENT).unwrap().profile.consent_signed_on,
        Some(kapnotes::records::Date(
            kapnotes::records::Timestamp::now().local_date()
        ))
    );
    verify_clean(&vault);
}

#[test]
fn backups_and_new_keys_carry_attachments() {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(CHUNK_BYTES * 2 + 5, "carried");
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &bytes,
    )
    .unwrap()
    .id;
    let backup = tv.file("backup.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    vault.rotate_data_key(PASSPHRASE).unwrap();
    assert_eq!(read_back(&vault, &id), bytes);
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
    let from_backup = Vault::unlock(&backup, PASSPHRASE, Access::ReadOnly).unwrap();
    assert_eq!(read_back(&from_backup, &id), bytes);
    verify_clean(&from_backup);
}

#[test]
fn a_deleted_client_takes_its_attachments_with_it() {
    let (tv, mut vault) = TestVault::new();
    let profile = kapnotes::records::ClientProfile::new("R.T.");
    let client = profile.id.clone();
    vault.create_client(profile).unwrap();
    attach_bytes(
        &mut vault,
        &NewAttachment::new(&client, AttachmentKind::Other),
        &pdf_bytes(CHUNK_BYTES + 1, "gone"),
    )
    .unwrap();
    vault.delete_client(&client).unwrap();
    let chunks: i64 = Connection::open(&tv.path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks, 0);
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
}

#[test]
fn saving_out_follows_the_rules_of_every_output_file() {
    let (tv, mut vault) = TestVault::with_example();
    let bytes = pdf_bytes(CHUNK_BYTES + 3, "saved");
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &bytes,
    )
    .unwrap()
    .id;
    let out = tv.file("out.pdf");
    vault.save_attachment(&id, &out, Overwrite::Refuse).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let entry = vault.audit_trail().unwrap().entries.last().unwrap().clone();
    assert_eq!(entry.action, AuditAction::Exported);
    // Never over an existing file unless confirmed, never over the vault.
    let e = vault
        .save_attachment(&id, &out, Overwrite::Refuse)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutputRefused);
    vault
        .save_attachment(&id, &out, Overwrite::Confirmed)
        .unwrap();
    let e = vault
        .save_attachment(&id, &tv.path, Overwrite::Confirmed)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutputRefused);
    verify_clean(&vault);
}

#[test]
fn the_format_4_vault_upgrades_and_takes_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("format-4.kapnotes");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/vaults/format-4.kapnotes"),
        &copy,
    )
    .unwrap();
    let mut vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
    let version: i64 = Connection::open(&copy)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 6);
    assert!(
        vault
            .audit_trail()
            .unwrap()
            .entries
            .iter()
            .any(|e| e.detail.as_deref() == Some("from format 4 to format 6"))
    );
    let bytes = pdf_bytes(CHUNK_BYTES + 9, "upgraded");
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Consent),
        &bytes,
    )
    .unwrap()
    .id;
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
    assert_eq!(read_back(&vault, &id), bytes);
}

/// Reads every file under `folder` (not following links) into one haystack check.
fn files_holding(folder: &std::path::Path, marker: &[u8], found: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            files_holding(&path, marker, found);
        } else if kind.is_file() {
            let mut bytes = Vec::new();
            if std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .is_ok()
                && contains(&bytes, marker)
            {
                found.push(path);
            }
        }
    }
}

#[test]
fn no_byte_of_an_attached_file_reaches_the_disk_outside_its_sealed_chunks() {
    let started = std::time::SystemTime::now();
    let (tv, mut vault) = TestVault::with_example();
    let marker = format!("KAPNOTES-MARKER-{}", kapnotes::records::new_id());
    // The file is on disk where the clinician keeps it; everything else is searched.
    let source_dir = tempfile::tempdir().unwrap();
    let source = source_dir.path().join(format!("{marker}.pdf"));
    let mut bytes = pdf_bytes(CHUNK_BYTES * 4 + 99, &marker);
    // The marker at a chunk boundary and at the end too.
    bytes.splice(
        CHUNK_BYTES - 8..CHUNK_BYTES - 8 + marker.len(),
        marker.bytes(),
    );
    let end = bytes.len() - marker.len();
    bytes.splice(end.., marker.bytes());
    std::fs::write(&source, &bytes).unwrap();
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::Consent);
    new.title = Some(format!("Consent {marker}"));
    let id = vault.attach_file(&new, &source).unwrap().id;
    assert_eq!(
        vault.attachment(&id).unwrap().file_name.as_deref(),
        Some(format!("{marker}.pdf").as_str())
    );
    let backup = tv.file("backup.kapnotes");
    backup_file(&tv.path, &backup).unwrap();
    let mut out = Vec::new();
    vault.read_attachment(&id, &mut out).unwrap();
    verify_clean(&vault);
    let scan = |moment: &str| {
        let mut found = Vec::new();
        files_holding(tv.dir.path(), marker.as_bytes(), &mut found);
        // The system's temporary folder is shared: its files written since the start.
        for entry in std::fs::read_dir(std::env::temp_dir()).unwrap().flatten() {
            let recent = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| at >= started);
            if recent && entry.file_type().is_ok_and(|t| t.is_file()) {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                if contains(&bytes, marker.as_bytes()) {
                    found.push(entry.path());
                }
            }
        }
        if let Some(home) = std::env::var_os("HOME") {
            files_holding(
                &std::path::Path::new(&home).join(".local/share/kapnotes"),
                marker.as_bytes(),
                &mut found,
            );
        }
        found.retain(|p| p != &source);
        assert!(found.is_empty(), "{moment}: the marker is in {found:?}");
    };
    // While the vault is still open (its -wal and -shm in place), then after.
    assert!(
        read_all_bytes(&tv.path).len() > bytes.len(),
        "the content is in the vault"
    );
    scan("open");
    drop(vault);
    scan("closed");
}

// ----- the interchange: the archive beside the document -----

fn two_attachments(vault: &mut Vault) -> (Vec<u8>, Vec<u8>) {
    let letter = pdf_bytes(CHUNK_BYTES * 2 + 17, "letter");
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::PrescriberLetter);
    new.title = Some("Letter".into());
    new.file_name = Some("letter.pdf".into());
    attach_bytes(vault, &new, &letter).unwrap();
    let ecg = [&b"\x89PNG\r\n\x1a\n"[..], &pdf_bytes(5000, "ecg")[..]].concat();
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::LabOrEcg);
    new.session_id = Some(DOSING.into());
    attach_bytes(vault, &new, &ecg).unwrap();
    (letter, ecg)
}

#[test]
fn the_whole_vault_export_carries_its_attachments_and_imports_back_whole() {
    let (tv, mut vault) = TestVault::with_example();
    let (letter, ecg) = two_attachments(&mut vault);
    let json = tv.file("export.json");
    kapnotes::interchange::export_to_file(
        &vault,
        &kapnotes::ExportScope::Everything,
        &json,
        Overwrite::Refuse,
    )
    .unwrap();
    let archive = tv.file("export.attachments.tar");
    assert!(archive.is_file());
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(document["attachments_archive"], "export.attachments.tar");
    let listed = document["attachments"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["media_type"], "application/pdf");
    assert_eq!(listed[0]["sha256"].as_str().unwrap().len(), 64);
    let entry = vault.audit_trail().unwrap().entries.last().unwrap().clone();
    assert_eq!(entry.action, AuditAction::Exported);
    assert!(entry.detail.unwrap().ends_with("2 attachments"));

    let other = TestVault::new();
    let (_other_tv, mut other_vault) = other;
    kapnotes::interchange::import_file(&mut other_vault, &json).unwrap();
    let imported = other_vault.attachments(None).unwrap();
    assert_eq!(imported, vault.attachments(None).unwrap());
    assert_eq!(read_back(&other_vault, &imported[0].id), letter);
    assert_eq!(read_back(&other_vault, &imported[1].id), ecg);
    verify_clean(&other_vault);
    // Exported again: the same document and the same archive.
    let again = _other_tv.file("again.json");
    kapnotes::interchange::export_to_file(
        &other_vault,
        &kapnotes::ExportScope::Everything,
        &again,
        Overwrite::Refuse,
    )
    .unwrap();
    assert_eq!(
        std::fs::read(_other_tv.file("again.attachments.tar")).unwrap(),
        std::fs::read(&archive).unwrap()
    );
    // A document with attachments read from text alone has no archive to read.
    let (_t, mut third) = TestVault::new();
    let e = kapnotes::interchange::import(&mut third, &std::fs::read_to_string(&json).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
}

#[test]
fn a_records_request_carries_attachments_only_when_asked() {
    let (tv, mut vault) = TestVault::with_example();
    two_attachments(&mut vault);
    let scope = kapnotes::ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: true,
    };
    let json = tv.file("request.json");
    kapnotes::interchange::export_to_file(&vault, &scope, &json, Overwrite::Refuse).unwrap();
    assert!(!tv.file("request.attachments.tar").exists());
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains("\"attachments"), "{text}");
    let json = tv.file("with.json");
    kapnotes::interchange::export_to_files(&vault, &scope, &json, Overwrite::Refuse, true).unwrap();
    assert!(tv.file("with.attachments.tar").is_file());
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(document["attachments"].as_array().unwrap().len(), 2);
}

/// Rewrites the archive at `path` with `change` applied to its entries.
fn rewrite_archive(path: &std::path::Path, change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let mut entries = Vec::new();
    let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            entries.push((name, bytes));
        }
    }
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        builder.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    builder.finish().unwrap();
}

#[test]
fn an_archive_missing_a_file_or_altered_is_refused_with_its_path_and_nothing_is_imported() {
    let (tv, mut vault) = TestVault::with_example();
    two_attachments(&mut vault);
    let json = tv.file("export.json");
    kapnotes::interchange::export_to_file(
        &vault,
        &kapnotes::ExportScope::Everything,
        &json,
        Overwrite::Refuse,
    )
    .unwrap();
    let archive = tv.file("export.attachments.tar");
    let pristine = std::fs::read(&archive).unwrap();
    let first = vault.attachments(None).unwrap()[0].id.clone();
    let first_entry = format!("export.attachments.tar/{first}.pdf");
    // Altered: one byte of each file flipped.
    let check = |expect: &str, at: &str| {
        let (_t, mut fresh) = TestVault::new();
        let e = kapnotes::interchange::import_file(&mut fresh, &json).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
        let message = e.to_string();
        assert!(
            message.contains(expect) && message.contains(at),
            "{message}"
        );
        assert!(fresh.list_clients().unwrap().is_empty());
        assert!(fresh.attachments(None).unwrap().is_empty());
    };
    rewrite_archive(&archive, |_, mut bytes| {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        Some(bytes)
    });
    check("SHA-256 differs", &first_entry);
    std::fs::write(&archive, &pristine).unwrap();
    rewrite_archive(&archive, |name, bytes| {
        (!name.starts_with(&first)).then_some(bytes)
    });
    check("missing from the archive", &first_entry);
    std::fs::write(&archive, &pristine).unwrap();
    rewrite_archive(&archive, |name, mut bytes| {
        if name.starts_with(&first) {
            bytes.pop();
        }
        Some(bytes)
    });
    check("not the size", &first_entry);
    std::fs::remove_file(&archive).unwrap();
    check("could not be opened", "export.attachments.tar");
}

#[test]
fn the_viewer_renders_a_pdfs_pages_and_hands_images_as_they_are() {
    let (_tv, mut vault) = TestVault::with_example();
    let (pdf, pages) = kapnotes::documents::document_pdf(
        &vault,
        &kapnotes::documents::DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: true,
            map_then: None,
        },
        kapnotes::documents::Paper::A4,
    )
    .unwrap();
    assert!(pages > 1);
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &pdf,
    )
    .unwrap()
    .id;
    let page = kapnotes::viewer::attachment_page(&vault, &id, 2, 800).unwrap();
    assert_eq!((page.page, page.pages as usize), (2, pages));
    assert_eq!(page.media_type, "image/png");
    let png = data_encoding::BASE64
        .decode(page.base64.as_bytes())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // The width asked for: bytes 16..20 of a PNG.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 800);
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[9u8; 64]].concat();
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        &jpeg,
    )
    .unwrap()
    .id;
    let image = kapnotes::viewer::attachment_page(&vault, &id, 1, 800).unwrap();
    assert_eq!(image.media_type, "image/jpeg");
    assert_eq!(
        data_encoding::BASE64
            .decode(image.base64.as_bytes())
            .unwrap(),
        jpeg
    );
    // A "PDF" that is only its signature cannot be drawn: a sentence, not a crash.
    let id = attach_bytes(
        &mut vault,
        &NewAttachment::new(CLIENT, AttachmentKind::Other),
        b"%PDF-1.4 nothing",
    )
    .unwrap()
    .id;
    let e = kapnotes::viewer::attachment_page(&vault, &id, 1, 800).unwrap_err();
    assert!(e.to_string().contains("cannot be shown here"), "{e}");
}

#[test]
fn an_attachment_whose_session_was_deleted_is_still_exported_and_imported() {
    let (tv, mut vault) = TestVault::with_example();
    let session = dosing_session("2026-06-01");
    let session_id = session.id.clone();
    vault.create_session(CLIENT, session).unwrap();
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::Other);
    new.session_id = Some(session_id.clone());
    let bytes = pdf_bytes(700, "orphaned");
    attach_bytes(&mut vault, &new, &bytes).unwrap();
    vault.delete_session(&session_id).unwrap();
    let json = tv.file("export.json");
    kapnotes::interchange::export_to_file(
        &vault,
        &kapnotes::ExportScope::Everything,
        &json,
        Overwrite::Refuse,
    )
    .unwrap();
    let (_t, mut other) = TestVault::new();
    kapnotes::interchange::import_file(&mut other, &json).unwrap();
    let imported = other.attachments(None).unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].session_id, None);
    assert_eq!(read_back(&other, &imported[0].id), bytes);
}
