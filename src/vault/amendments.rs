//! Clients' requests to amend their record (HIPAA 45 CFR 164.526): logged, extended once,
//! accepted (the change made in the same transaction and linked) or denied (the basis,
//! the client's statement of disagreement, the clinician's rebuttal). Each a change
//! through `modify_client`: the request is its own sealed row with its own audit entry.

use super::{NoteHistory, Vault};
use crate::error::{Error, Refusal, Result};
use crate::records::{
    AMENDMENT_DUE_DAYS, AMENDMENT_EXTENSION_MAX_DAYS, Addendum, AmendmentDecision,
    AmendmentExtension, AmendmentOutcome, AmendmentRequest, AmendmentTarget, Client, Date,
    ProfileField, Timestamp, new_id,
};

/// How an accepted request's change is made: an addendum on the targeted (signed) note,
/// or the targeted profile field's corrected value (empty clears an optional field).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmendmentChange {
    Addendum { text: String },
    CorrectedField { value: String },
}

/// The words of a denial.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AmendmentDenial {
    pub basis: String,
    #[serde(default)]
    pub statement_of_disagreement: Option<String>,
    #[serde(default)]
    pub rebuttal: Option<String>,
}

fn request_in<'a>(client: &'a mut Client, request_id: &str) -> Result<&'a mut AmendmentRequest> {
    client
        .amendment_requests
        .iter_mut()
        .find(|r| r.id == request_id)
        .ok_or_else(|| Error::NotFound {
            what: "amendment request",
            id: request_id.to_owned(),
        })
}

fn undecided<'a>(client: &'a mut Client, request_id: &str) -> Result<&'a mut AmendmentRequest> {
    let request = request_in(client, request_id)?;
    if request.decision.is_some() {
        return Err(Refusal::AmendmentAlreadyDecided.into());
    }
    Ok(request)
}

fn blank_to_none(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

impl Vault {
    /// Logs a request received on `received_on`.
    pub fn log_amendment_request(
        &mut self,
        client_id: &str,
        received_on: Date,
        target: AmendmentTarget,
        requested_change: &str,
    ) -> Result<AmendmentRequest> {
        let request = AmendmentRequest {
            id: new_id(),
            received_on,
            target,
            requested_change: requested_change.to_owned(),
            extension: None,
            decision: None,
        };
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            client.amendment_requests.push(request.clone());
            Ok(())
        })?;
        Ok(request)
    }

    /// Records the one extension: before the 60 days have run out, at most 30 more days.
    pub fn extend_amendment_request(
        &mut self,
        client_id: &str,
        request_id: &str,
        recorded_on: Date,
        reason: &str,
        new_due_on: Date,
    ) -> Result<AmendmentRequest> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            let request = undecided(client, request_id)?;
            if request.extension.is_some() {
                return Err(Refusal::AmendmentAlreadyExtended.into());
            }
            let first_due = request.received_on.0 + chrono::Duration::days(AMENDMENT_DUE_DAYS);
            if recorded_on.0 >= first_due {
                return Err(Refusal::AmendmentExtensionTooLate {
                    due: first_due.to_string(),
                }
                .into());
            }
            let latest = first_due + chrono::Duration::days(AMENDMENT_EXTENSION_MAX_DAYS);
            if new_due_on.0 <= first_due || new_due_on.0 > latest {
                return Err(Refusal::AmendmentExtensionTooLong {
                    due: first_due.to_string(),
                    latest: latest.to_string(),
                }
                .into());
            }
            request.extension = Some(AmendmentExtension {
                recorded_on,
                reason: reason.to_owned(),
                new_due_on,
            });
            Ok(request.clone())
        })
    }

    /// Accepts a request and makes its change in the same transaction: an addendum on
    /// the targeted signed note, or the targeted profile field corrected (its audit
    /// entry is the client's update); the decision records when, linking the two.
    pub fn accept_amendment_request(
        &mut self,
        client_id: &str,
        request_id: &str,
        decided_on: Date,
        change: AmendmentChange,
    ) -> Result<AmendmentRequest> {
        let at = Timestamp::now();
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            let target = undecided(client, request_id)?.target.clone();
            match (&target, change) {
                (AmendmentTarget::SessionNote { session }, AmendmentChange::Addendum { text }) => {
                    let session = super::clients::session_in(client, session)?;
                    if !session.is_signed() {
                        return Err(Refusal::AddendumToUnsignedNote.into());
                    }
                    if text.trim().is_empty() {
                        return Err(Error::rejected("/addenda", "an addendum needs some text"));
                    }
                    session.addenda.push(Addendum {
                        at: at.clone(),
                        text,
                    });
                }
                (
                    AmendmentTarget::ProfileField { field },
                    AmendmentChange::CorrectedField { value },
                ) => {
                    correct_field(client, *field, value)?;
                }
                _ => return Err(Refusal::AmendmentChangeMismatch.into()),
            }
            let request = request_in(client, request_id)?;
            request.decision = Some(AmendmentDecision {
                outcome: AmendmentOutcome::Accepted,
                decided_on,
                change_made_at: Some(at.clone()),
                basis: None,
                statement_of_disagreement: None,
                rebuttal: None,
            });
            Ok(request.clone())
        })
    }

    /// Denies a request with its basis; called again on a denied request, it records the
    /// client's statement of disagreement or the rebuttal that came later, while the
    /// denial's date and basis stay as first recorded (the evidence of a timely answer).
    pub fn deny_amendment_request(
        &mut self,
        client_id: &str,
        request_id: &str,
        decided_on: Date,
        denial: AmendmentDenial,
    ) -> Result<AmendmentRequest> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            let request = request_in(client, request_id)?;
            if request
                .decision
                .as_ref()
                .is_some_and(|d| d.outcome == AmendmentOutcome::Accepted)
            {
                return Err(Refusal::AmendmentAlreadyDecided.into());
            }
            let first_denial = request
                .decision
                .as_ref()
                .map(|d| (d.decided_on, d.basis.clone()));
            if first_denial.is_none() && decided_on.0 > Timestamp::now().local_date() {
                return Err(Error::rejected(
                    "/amendment_requests/decision/decided_on",
                    "the decision's date is still ahead: give today's date or an earlier one",
                ));
            }
            let (decided_on, basis) = match first_denial {
                Some((on, basis)) => (on, basis),
                None => (decided_on, Some(denial.basis)),
            };
            request.decision = Some(AmendmentDecision {
                outcome: AmendmentOutcome::Denied,
                decided_on,
                change_made_at: None,
                basis,
                statement_of_disagreement: blank_to_none(denial.statement_of_disagreement),
                rebuttal: blank_to_none(denial.rebuttal),
            });
            Ok(request.clone())
        })
    }
}

/// Sets a profile field from the text the clinician typed (a date for the date of birth).
fn correct_field(client: &mut Client, field: ProfileField, value: String) -> Result<()> {
    let optional = blank_to_none(Some(value.clone()));
    let profile = &mut client.profile;
    match field {
        ProfileField::DisplayName => profile.display_name = value,
        ProfileField::FullName => profile.full_name = optional,
        ProfileField::Pronouns => profile.pronouns = optional,
        ProfileField::Notes => profile.notes = value,
        ProfileField::DateOfBirth => {
            profile.date_of_birth =
                match optional {
                    None => None,
                    Some(text) => Some(Date::parse(text.trim()).map_err(|_| {
                        Error::rejected("/date_of_birth", "a date such as 1980-04-23")
                    })?),
                }
        }
    }
    Ok(())
}
