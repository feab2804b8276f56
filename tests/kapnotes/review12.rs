//! The fixes from the attack on issue 12's features, each pinned: a legal deadline is
//! never acknowledged away, nor is a finding acknowledged ahead of its day; an open
//! amendment request blocks disposal and counts as contact; a document dated ahead is
//! refused; a later statement or rebuttal keeps the denial's date and basis.

use crate::common::*;
use kapnotes::records::{AmendmentTarget, AttachmentKind, ClientProfile, Session, SessionKind};
use kapnotes::rules::{RetentionPeriods, check_client, retention};
use kapnotes::vault::{AmendmentDenial, NewAttachment};
use kapnotes::{Error, Refusal};

fn at(day: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(&format!("{day}T23:59:59+00:00")).unwrap()
}

fn asked(vault: &mut kapnotes::Vault, received: &str) -> String {
    vault
        .log_amendment_request(
            CLIENT,
            date(received),
            AmendmentTarget::SessionNote {
                session: DOSING.into(),
            },
            "Please correct the time.",
        )
        .unwrap()
        .id
}

#[test]
fn an_overdue_amendment_request_cannot_be_acknowledged_nor_a_finding_ahead_of_its_day() {
    let (_tv, mut vault) = TestVault::with_example();
    let request = asked(&mut vault, "2026-05-01");
    let settings = vault.rule_settings().unwrap();
    let findings = check_client(&vault.client(CLIENT).unwrap(), at("2026-07-15"), &settings);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "amendment-request-overdue")
    );
    let refused = vault
        .acknowledge_finding(
            CLIENT,
            "amendment-request-overdue",
            &request,
            "Later.",
            at("2026-07-15"),
        )
        .unwrap_err();
    assert!(
        matches!(refused, Error::Refused(Refusal::DeadlineNotAcknowledgeable)),
        "{refused}"
    );
    // Its line says it cannot be acknowledged, so the app offers no button.
    let groups = kapnotes::rules::group_findings(&findings);
    let line = groups
        .iter()
        .find(|g| g.code == "amendment-request-overdue")
        .unwrap();
    assert!(!line.acknowledgeable);

    let ahead = vault
        .acknowledge_finding(CLIENT, "consent-missing", DOSING, "Seen.", at("2999-01-01"))
        .unwrap_err();
    assert!(
        matches!(ahead, Error::Refused(Refusal::AcknowledgedAhead)),
        "{ahead}"
    );
}

#[test]
fn an_open_amendment_request_blocks_disposal_and_counts_as_contact() {
    let (_tv, mut vault) = TestVault::new();
    let mut profile = ClientProfile::new("Old client");
    profile.created_at = ts("2010-01-01T10:00:00+00:00");
    let client_id = profile.id.clone();
    vault.create_client(profile).unwrap();
    vault
        .create_session(
            &client_id,
            Session::new(SessionKind::Therapy, ts("2010-02-01T10:00:00+00:00")),
        )
        .unwrap();
    let periods = RetentionPeriods::default();
    let before = retention(&vault.client(&client_id).unwrap(), &periods);
    assert_eq!(before.last_contact, date("2010-02-01"));

    vault
        .log_amendment_request(
            &client_id,
            date("2020-11-01"),
            AmendmentTarget::ProfileField {
                field: kapnotes::records::ProfileField::Notes,
            },
            "Please add my new address.",
        )
        .unwrap();
    let after = retention(&vault.client(&client_id).unwrap(), &periods);
    assert_eq!(
        after.last_contact,
        date("2020-11-01"),
        "a request is contact"
    );

    // With a short period the client is past retention, yet the undecided request
    // (a duty still running) blocks disposal, and nothing is deleted.
    let short = RetentionPeriods {
        years_after_last_session: 1,
        ..periods
    };
    vault.set_retention_periods(&short).unwrap();
    let refused = vault.dispose_client(&client_id, PASSPHRASE).unwrap_err();
    assert!(
        matches!(refused, Error::Refused(Refusal::AmendmentRequestOpen)),
        "{refused}"
    );
    assert!(vault.client(&client_id).is_ok());
}

#[test]
fn a_document_dated_ahead_is_refused_and_writes_nothing() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut new = NewAttachment::new(CLIENT, AttachmentKind::Consent);
    new.document_date = Some(date("2999-01-01"));
    let pdf: &[u8] = b"%PDF-1.4\n% a consent form\n";
    let refused = vault
        .attach(&new, &mut &pdf[..], pdf.len() as u64)
        .unwrap_err();
    assert!(matches!(refused, Error::Rejected(_)), "{refused}");
    assert!(
        vault
            .client(CLIENT)
            .unwrap()
            .profile
            .consent_signed_on
            .is_none()
    );
    assert!(vault.attachments(Some(CLIENT)).unwrap().is_empty());
}

#[test]
fn a_later_statement_or_rebuttal_keeps_the_denial_date_and_basis() {
    let (_tv, mut vault) = TestVault::with_example();
    let request = asked(&mut vault, "2026-05-01");
    let denial = |basis: &str, rebuttal: Option<&str>| AmendmentDenial {
        basis: basis.into(),
        statement_of_disagreement: None,
        rebuttal: rebuttal.map(str::to_owned),
    };
    vault
        .deny_amendment_request(
            CLIENT,
            &request,
            date("2026-05-20"),
            denial("Accurate as written.", None),
        )
        .unwrap();
    let later = vault
        .deny_amendment_request(
            CLIENT,
            &request,
            date("2026-06-25"),
            denial("Something else.", Some("The vitals show it.")),
        )
        .unwrap();
    let decision = later.decision.unwrap();
    assert_eq!(decision.decided_on, date("2026-05-20"));
    assert_eq!(decision.basis.as_deref(), Some("Accurate as written."));
    assert_eq!(decision.rebuttal.as_deref(), Some("The vitals show it."));
}

/// An older export does not bring back a client disposed of after their retention: the
/// tombstone in the trail names them, and the import is refused with the path.
#[test]
fn an_import_does_not_bring_a_disposed_client_back() {
    let (_tv, mut vault) = TestVault::new();
    let mut profile = ClientProfile::new("Long ago");
    profile.created_at = ts("2010-01-01T10:00:00+00:00");
    let client_id = profile.id.clone();
    vault.create_client(profile).unwrap();
    let before = kapnotes::interchange::export(&vault, &kapnotes::ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    vault.dispose_client(&client_id, PASSPHRASE).unwrap();
    let refused = kapnotes::interchange::import(&mut vault, &before).unwrap_err();
    match &refused {
        Error::Rejected(rejection) => assert_eq!(rejection.path, "/clients/0/id"),
        other => panic!("expected a rejection, got {other}"),
    }
    assert!(
        vault.client(&client_id).is_err(),
        "nothing was brought back"
    );
}
