//! Acknowledging a warning or a note, and re-opening it: each a change to the client's
//! record through `modify_client`, so the acknowledgement is its own sealed row with
//! its own audit entry (which names an acknowledgement, never its reason).

use super::{NoteHistory, Vault};
use crate::error::{Error, Refusal, Result};
use crate::records::{Acknowledgement, Id, Timestamp, new_id};
use crate::rules::{Severity, check_client, may_be_acknowledged, record_sha256};
use chrono::{DateTime, FixedOffset};

impl Vault {
    /// Acknowledges the open warning or note `code` about `record_id`, judged as of
    /// `as_of` with the vault's rule settings, with the clinician's `reason`. An earlier
    /// acknowledgement of the same finding (one the record's change re-opened) is
    /// replaced. A stop is refused.
    pub fn acknowledge_finding(
        &mut self,
        client_id: &str,
        code: &str,
        record_id: &str,
        reason: &str,
        as_of: DateTime<FixedOffset>,
    ) -> Result<Acknowledgement> {
        let mut made =
            self.acknowledge_findings(client_id, code, &[record_id.to_owned()], reason, as_of)?;
        made.pop().ok_or_else(|| Refusal::FindingNotRaised.into())
    }

    /// Acknowledges the finding `code` about each of `record_ids` (a grouped line) with
    /// one reason, all in one change or none.
    pub fn acknowledge_findings(
        &mut self,
        client_id: &str,
        code: &str,
        record_ids: &[Id],
        reason: &str,
        as_of: DateTime<FixedOffset>,
    ) -> Result<Vec<Acknowledgement>> {
        if reason.trim().is_empty() {
            return Err(Error::rejected(
                "/acknowledgements/reason",
                "an acknowledgement needs a reason",
            ));
        }
        // Judged as of a day still ahead, a finding not yet raised could be set aside
        // before it ever shows.
        if as_of.date_naive() > Timestamp::now().local_date() {
            return Err(Refusal::AcknowledgedAhead.into());
        }
        let settings = self.rule_settings()?;
        let by = self
            .clinician()?
            .map(|c| c.name)
            .filter(|n| !n.trim().is_empty());
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            let findings = check_client(client, as_of, &settings);
            let at = Timestamp::now();
            let mut made = Vec::new();
            for record_id in record_ids {
                let matching: Vec<_> = findings
                    .iter()
                    .filter(|f| f.code == code && &f.record_id == record_id)
                    .collect();
                let Some(finding) = matching.first() else {
                    return Err(Refusal::FindingNotRaised.into());
                };
                if matching.iter().any(|f| f.severity == Severity::Stop) {
                    return Err(Refusal::StopNotAcknowledgeable.into());
                }
                if matching
                    .iter()
                    .any(|f| !may_be_acknowledged(f.severity, f.code))
                {
                    return Err(Refusal::DeadlineNotAcknowledgeable.into());
                }
                let Some(digest) = record_sha256(client, finding.subject, record_id) else {
                    return Err(Refusal::FindingNotRaised.into());
                };
                client
                    .acknowledgements
                    .retain(|a| !(a.code == code && &a.record_id == record_id));
                let acknowledgement = Acknowledgement {
                    id: new_id(),
                    code: code.to_owned(),
                    record_id: record_id.clone(),
                    record_sha256: digest,
                    reason: reason.to_owned(),
                    acknowledged_at: at.clone(),
                    acknowledged_by: by.clone(),
                };
                client.acknowledgements.push(acknowledgement.clone());
                made.push(acknowledgement);
            }
            Ok(made)
        })
    }

    /// Re-opens an acknowledged finding: its acknowledgement is removed (a recorded
    /// deletion), and the finding is open again while the rules raise it.
    pub fn reopen_finding(&mut self, client_id: &str, acknowledgement_id: &str) -> Result<()> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            let before = client.acknowledgements.len();
            client
                .acknowledgements
                .retain(|a| a.id != acknowledgement_id);
            if client.acknowledgements.len() == before {
                return Err(Error::NotFound {
                    what: "acknowledgement",
                    id: acknowledgement_id.to_owned(),
                });
            }
            Ok(())
        })
    }
}
