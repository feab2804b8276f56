//! Findings the clinician acknowledged. An acknowledgement names the finding's code, the
//! record it is about (the session, measure, part or, for a finding about the client,
//! the client's profile) and the SHA-256 of that record's JSON when it was given: the
//! finding stays acknowledged while the rules still raise that code about that record
//! and the record is unchanged. Any change to the record re-opens it (its digest
//! differs); a stop is never acknowledged, whatever is stored.

use super::findings::{Finding, Severity, Subject};
use crate::records::{Acknowledgement, Client};
use serde::Serialize;

/// A finding kept out of the open list, with the acknowledgement that keeps it there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AcknowledgedFinding {
    pub finding: Finding,
    pub acknowledgement: Acknowledgement,
}

/// The SHA-256 (lowercase hex) of the JSON of the record a finding about `subject` and
/// `record_id` is about; `None` when the client has no such record.
pub fn record_sha256(client: &Client, subject: Subject, record_id: &str) -> Option<String> {
    let json = match subject {
        Subject::Client => serde_json::to_vec(&client.profile),
        Subject::Session => serde_json::to_vec(client.session(record_id)?),
        Subject::Measure => serde_json::to_vec(client.measures.iter().find(|m| m.id == record_id)?),
        Subject::Part => serde_json::to_vec(client.part(record_id)?),
        Subject::AmendmentRequest => serde_json::to_vec(
            client
                .amendment_requests
                .iter()
                .find(|r| r.id == record_id)?,
        ),
    }
    .ok()?;
    let digest = ring::digest::digest(&ring::digest::SHA256, &json);
    Some(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a finding of this severity may be acknowledged: warnings and notes only.
pub fn may_be_acknowledged(severity: Severity, code: &str) -> bool {
    severity != Severity::Stop && !NEVER_ACKNOWLEDGED.contains(&code)
}

/// Warnings held to a legal deadline: the clinician acts on them (decides the request),
/// never sets them aside.
pub const NEVER_ACKNOWLEDGED: [&str; 1] = ["amendment-request-overdue"];

/// The acknowledgement that holds `finding` out of the open list, if one does.
pub fn acknowledgement_of<'a>(
    client: &'a Client,
    finding: &Finding,
) -> Option<&'a Acknowledgement> {
    if !may_be_acknowledged(finding.severity, finding.code) {
        return None;
    }
    let current = record_sha256(client, finding.subject, &finding.record_id)?;
    client.acknowledgements.iter().find(|a| {
        a.code == finding.code && a.record_id == finding.record_id && a.record_sha256 == current
    })
}

/// Splits `findings` into the open ones and the acknowledged ones, each list in the
/// order given.
pub fn split_acknowledged(
    client: &Client,
    findings: Vec<Finding>,
) -> (Vec<Finding>, Vec<AcknowledgedFinding>) {
    let mut open = Vec::new();
    let mut acknowledged = Vec::new();
    for finding in findings {
        match acknowledgement_of(client, &finding) {
            Some(a) => acknowledged.push(AcknowledgedFinding {
                acknowledgement: a.clone(),
                finding,
            }),
            None => open.push(finding),
        }
    }
    (open, acknowledged)
}
