//! The rules of the interchange format that JSON Schema cannot express (see
//! docs/INTERCHANGE.md). They are checked on every import and on every change made
//! through the API, so the vault can never hold what an import would reject.

use crate::error::Rejection;
use crate::records::{Client, Id, SessionKind, UnburdeningStepKind};
use std::collections::{HashMap, HashSet};

/// Collects rejections with JSON-pointer paths.
#[derive(Default)]
pub(crate) struct Findings {
    pub rejections: Vec<Rejection>,
}

impl Findings {
    fn reject(&mut self, path: String, rule: impl Into<String>) {
        self.rejections.push(Rejection {
            path,
            rule: rule.into(),
        });
    }
}

/// Every id a client's records define, with the path where each is defined.
pub(crate) fn defined_ids(client: &Client, base: &str) -> Vec<(Id, String)> {
    let mut ids = vec![(client.profile.id.clone(), format!("{base}/id"))];
    let lists: [(&str, Vec<&Id>); 8] = [
        ("parts", client.parts.iter().map(|r| &r.id).collect()),
        (
            "relationships",
            client.relationships.iter().map(|r| &r.id).collect(),
        ),
        (
            "agreements",
            client.agreements.iter().map(|r| &r.id).collect(),
        ),
        ("sessions", client.sessions.iter().map(|r| &r.id).collect()),
        ("measures", client.measures.iter().map(|r| &r.id).collect()),
        ("groups", client.groups.iter().map(|r| &r.id).collect()),
        (
            "acknowledgements",
            client.acknowledgements.iter().map(|r| &r.id).collect(),
        ),
        (
            "amendment_requests",
            client.amendment_requests.iter().map(|r| &r.id).collect(),
        ),
    ];
    for (name, list) in lists {
        for (i, id) in list.into_iter().enumerate() {
            ids.push((id.clone(), format!("{base}/{name}/{i}/id")));
        }
    }
    for (p, part) in client.parts.iter().enumerate() {
        for (i, step) in part.unburdening.iter().enumerate() {
            ids.push((
                step.id.clone(),
                format!("{base}/parts/{p}/unburdening/{i}/id"),
            ));
        }
    }
    for (s, session) in client.sessions.iter().enumerate() {
        for (i, intention) in session.intentions.iter().enumerate() {
            ids.push((
                intention.id.clone(),
                format!("{base}/sessions/{s}/intentions/{i}/id"),
            ));
        }
        for (i, event) in session.adverse_events.iter().enumerate() {
            ids.push((
                event.id.clone(),
                format!("{base}/sessions/{s}/adverse_events/{i}/id"),
            ));
        }
    }
    ids
}

/// The ids of the records a client's history holds versions or removals of, with the
/// path of each.
pub(crate) fn history_ids(client: &Client, base: &str) -> Vec<(Id, String)> {
    use crate::records::VersionedRecord;
    let Some(history) = &client.map_history else {
        return Vec::new();
    };
    history
        .versions
        .iter()
        .enumerate()
        .map(|(v, version)| {
            let key = match &version.record {
                VersionedRecord::Part(_) => "part",
                VersionedRecord::Relationship(_) => "relationship",
                VersionedRecord::Agreement(_) => "agreement",
                VersionedRecord::Group(_) => "group",
                VersionedRecord::Removed(_) => "removed",
            };
            let (_, id) = version.record.key();
            (
                id.to_owned(),
                format!("{base}/map_history/versions/{v}/{key}/id"),
            )
        })
        .collect()
}

/// Refuses a history that names another client's records: a version of a record, or
/// an unburdening step in a session, whose id `of_another` says belongs to a client
/// other than `client` (`whose` names that client in the sentence). A history naming
/// them would show another client's part on this client's map, open its story from
/// there, and carry it in this client's records request.
pub(crate) fn check_history_owner(
    client: &Client,
    base: &str,
    of_another: impl Fn(&str) -> bool,
    whose: &str,
    findings: &mut Findings,
) {
    use crate::records::VersionedRecord;
    for (id, path) in history_ids(client, base) {
        if of_another(&id) {
            findings.reject(
                path,
                format!("the id {id} belongs to {whose}: a client's map history may hold only that client's own records"),
            );
        }
    }
    let Some(history) = &client.map_history else {
        return;
    };
    for (v, version) in history.versions.iter().enumerate() {
        if let VersionedRecord::Part(part) = &version.record {
            for (j, step) in part.unburdening.iter().enumerate() {
                if of_another(&step.session) {
                    findings.reject(
                        format!("{base}/map_history/versions/{v}/part/unburdening/{j}/session"),
                        format!(
                            "the session {} belongs to {whose}: a step may only name a session of its own client",
                            step.session
                        ),
                    );
                }
            }
        }
    }
}

/// Reports an id defined twice among `ids`.
pub(crate) fn check_unique_ids(ids: &[(Id, String)], findings: &mut Findings) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (id, path) in ids {
        if let Some(first) = seen.insert(id, path) {
            findings.reject(
                path.clone(),
                format!("the id {id} is used twice in the document (first at {first})"),
            );
        }
    }
}

/// Checks one client's cross-references and values. `base` is the client's path.
pub(crate) fn check_client(client: &Client, base: &str, findings: &mut Findings) {
    let parts: HashSet<&str> = client.parts.iter().map(|p| p.id.as_str()).collect();
    let intentions: HashSet<&str> = client
        .sessions
        .iter()
        .flat_map(|s| s.intentions.iter().map(|i| i.id.as_str()))
        .collect();
    let part_ref = |findings: &mut Findings, id: &str, path: String| {
        if !parts.contains(id) {
            findings.reject(path, format!("the part {id} is not a part of this client"));
        }
    };

    if let Some(prescriber) = &client.profile.prescriber
        && prescriber.dose_min_mg.value() > prescriber.dose_max_mg.value()
    {
        findings.reject(
            format!("{base}/prescriber/dose_min_mg"),
            "the prescriber's lowest dose is greater than the highest dose",
        );
    }

    for (i, r) in client.relationships.iter().enumerate() {
        let path = format!("{base}/relationships/{i}");
        part_ref(findings, &r.from_part, format!("{path}/from_part"));
        part_ref(findings, &r.to_part, format!("{path}/to_part"));
        if r.from_part == r.to_part {
            findings.reject(
                format!("{path}/to_part"),
                "a relationship must join two different parts",
            );
        }
    }
    for (i, a) in client.agreements.iter().enumerate() {
        for (j, p) in a.parts.iter().enumerate() {
            part_ref(findings, p, format!("{base}/agreements/{i}/parts/{j}"));
        }
    }
    for (p, part) in client.parts.iter().enumerate() {
        for (i, step) in part.unburdening.iter().enumerate() {
            let path = format!("{base}/parts/{p}/unburdening/{i}");
            if client.session(&step.session).is_none() {
                findings.reject(
                    format!("{path}/session"),
                    format!(
                        "the session {} is not a session of this client",
                        step.session
                    ),
                );
            }
            check_step_fields(step, &path, findings);
        }
    }
    // A part is in at most one group, once.
    // Groups are told apart by their place in the list: two may share a name.
    let mut grouped: HashMap<&str, usize> = HashMap::new();
    for (g, group) in client.groups.iter().enumerate() {
        for (j, p) in group.parts.iter().enumerate() {
            let at = format!("{base}/groups/{g}/parts/{j}");
            part_ref(findings, p, at.clone());
            if let Some(other) = grouped.insert(p.as_str(), g) {
                findings.reject(
                    at,
                    if other == g {
                        format!("the part {p} is listed twice in this group")
                    } else {
                        format!(
                            "the part {p} is already in the group “{}” (at {base}/groups/{other}); a part is in at most one group",
                            client.groups[other].name
                        )
                    },
                );
            }
        }
    }
    if let Some(history) = &client.map_history {
        check_history(history, &format!("{base}/map_history"), findings);
    }
    for (r, request) in client.amendment_requests.iter().enumerate() {
        check_amendment_request(
            client,
            request,
            &format!("{base}/amendment_requests/{r}"),
            findings,
        );
    }
    for (s, session) in client.sessions.iter().enumerate() {
        let path = format!("{base}/sessions/{s}");
        for (i, intention) in session.intentions.iter().enumerate() {
            if let Some(p) = &intention.part {
                part_ref(findings, p, format!("{path}/intentions/{i}/part"));
            }
        }
        if let Some(checkin) = &session.checkin {
            let mut asked = HashSet::new();
            for (i, response) in checkin.responses.iter().enumerate() {
                let at = format!("{path}/checkin/responses/{i}/part");
                part_ref(findings, &response.part, at.clone());
                if !asked.insert(response.part.as_str()) {
                    findings.reject(at, "this part already answered in this check-in");
                }
            }
        }
        // Readings are a timeline: a sheet copied in the wrong order would put a
        // warning on the wrong side of the dose.
        for (i, pair) in session.monitoring.windows(2).enumerate() {
            if pair[1].at.instant() < pair[0].at.instant() {
                findings.reject(
                    format!("{path}/monitoring/{}/at", i + 1),
                    "the readings must be in time order: this one is earlier than the one before it",
                );
            }
        }
        for (i, reading) in session.monitoring.iter().enumerate() {
            if !reading.dissociation_items.is_empty() && reading.dissociation_items.len() != 6 {
                findings.reject(
                    format!("{path}/monitoring/{i}/dissociation_items"),
                    "the CADSS-6 has six items",
                );
            }
        }
        if let Some(observations) = &session.observations {
            for (i, p) in observations.parts_present.iter().enumerate() {
                part_ref(
                    findings,
                    p,
                    format!("{path}/observations/parts_present/{i}"),
                );
            }
        }
        if let Some(integration) = &session.integration {
            for (i, p) in integration.parts_encountered.iter().enumerate() {
                part_ref(
                    findings,
                    p,
                    format!("{path}/integration/parts_encountered/{i}"),
                );
            }
            for (i, reflection) in integration.intention_reflections.iter().enumerate() {
                if !intentions.contains(reflection.intention.as_str()) {
                    findings.reject(
                        format!("{path}/integration/intention_reflections/{i}/intention"),
                        format!(
                            "the intention {} is not an intention of this client",
                            reflection.intention
                        ),
                    );
                }
            }
            if let Some(dosing_id) = &integration.dosing_session {
                let at = format!("{path}/integration/dosing_session");
                match client.session(dosing_id) {
                    Some(dosing) if dosing.kind == SessionKind::Dosing => {
                        if dosing.starts_at.instant() > session.starts_at.instant() {
                            findings.reject(
                                at,
                                "the linked dosing session starts after this integration session",
                            );
                        }
                    }
                    _ => findings.reject(
                        at,
                        format!("the session {dosing_id} is not a dosing session of this client"),
                    ),
                }
            }
        }
    }
    for (i, measure) in client.measures.iter().enumerate() {
        if let Some(measure_session) = &measure.session
            && client.session(measure_session).is_none()
        {
            findings.reject(
                format!("{base}/measures/{i}/session"),
                format!("the session {measure_session} is not a session of this client"),
            );
        }
    }
}

/// What was released belongs to an "unburdening" step, the qualities taken in to an
/// "invitation".
fn check_step_fields(step: &crate::records::UnburdeningStep, path: &str, findings: &mut Findings) {
    let filled = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.is_empty());
    if step.kind != UnburdeningStepKind::Unburdening {
        if filled(&step.released) {
            findings.reject(
                format!("{path}/released"),
                "only an \"unburdening\" step says what was released",
            );
        }
        if step.released_to.is_some() {
            findings.reject(
                format!("{path}/released_to"),
                "only an \"unburdening\" step says what the burden was released to",
            );
        }
    }
    if step.kind != UnburdeningStepKind::Invitation && filled(&step.qualities) {
        findings.reject(
            format!("{path}/qualities"),
            "only an \"invitation\" step says which qualities were taken in",
        );
    }
}

/// A history is a timeline from its start: versions in time order, none before
/// `since`, and each record as a change through kapnotes could have left it.
fn check_history(history: &crate::records::MapHistory, base: &str, findings: &mut Findings) {
    use crate::records::{MapRecordKind, VersionedRecord};
    let since = history.since.instant();
    // Every record a version before this one was about.
    let mut had: HashSet<(MapRecordKind, &str)> = HashSet::new();
    for (i, version) in history.versions.iter().enumerate() {
        let path = format!("{base}/versions/{i}");
        if version.at.instant() < since {
            findings.reject(
                format!("{path}/at"),
                "a version of the map cannot be earlier than the start of its history (since)",
            );
        }
        if i > 0 && version.at.instant() < history.versions[i - 1].at.instant() {
            findings.reject(
                format!("{path}/at"),
                "the versions must be in time order: this one is earlier than the one before it",
            );
        }
        // A relationship, agreement or group names only parts the history held before
        // it: otherwise it could name a part of another client, or none at all.
        let known_part = |findings: &mut Findings, id: &str, at: String| {
            if !had.contains(&(MapRecordKind::Part, id)) {
                findings.reject(
                    at,
                    format!("the part {id} has no version earlier in this history: a version may only name parts the history already holds"),
                );
            }
        };
        match &version.record {
            VersionedRecord::Part(part) => {
                for (j, step) in part.unburdening.iter().enumerate() {
                    check_step_fields(step, &format!("{path}/part/unburdening/{j}"), findings);
                }
            }
            VersionedRecord::Relationship(r) => {
                known_part(
                    findings,
                    &r.from_part,
                    format!("{path}/relationship/from_part"),
                );
                known_part(findings, &r.to_part, format!("{path}/relationship/to_part"));
                if r.from_part == r.to_part {
                    findings.reject(
                        format!("{path}/relationship/to_part"),
                        "a relationship must join two different parts",
                    );
                }
            }
            VersionedRecord::Agreement(a) => {
                for (j, p) in a.parts.iter().enumerate() {
                    known_part(findings, p, format!("{path}/agreement/parts/{j}"));
                }
            }
            VersionedRecord::Group(group) => {
                let mut seen = HashSet::new();
                for (j, p) in group.parts.iter().enumerate() {
                    known_part(findings, p, format!("{path}/group/parts/{j}"));
                    if !seen.insert(p) {
                        findings.reject(
                            format!("{path}/group/parts/{j}"),
                            format!("the part {p} is listed twice in this group"),
                        );
                    }
                }
            }
            VersionedRecord::Removed(removal) => {
                if !had.contains(&(removal.kind, removal.id.as_str())) {
                    findings.reject(
                        format!("{path}/removed/id"),
                        format!(
                            "the history has no earlier version of the {} {}: a removal must follow a version of what it removes",
                            kind_name(removal.kind),
                            removal.id
                        ),
                    );
                }
            }
        }
        had.insert(version.record.key());
    }
}

fn kind_name(kind: crate::records::MapRecordKind) -> &'static str {
    use crate::records::MapRecordKind;
    match kind {
        MapRecordKind::Part => "part",
        MapRecordKind::Relationship => "relationship",
        MapRecordKind::Agreement => "agreement",
        MapRecordKind::Group => "group",
    }
}

/// An amendment request's dates and decision hold together: its target exists, its one
/// extension was recorded by day 60 and adds at most 30 days, a decision is not dated
/// before the request, a denial has its basis, an acceptance none of a denial's texts.
fn check_amendment_request(
    client: &Client,
    request: &crate::records::AmendmentRequest,
    path: &str,
    findings: &mut Findings,
) {
    use crate::records::{
        AMENDMENT_DUE_DAYS, AMENDMENT_EXTENSION_MAX_DAYS, AmendmentOutcome, AmendmentTarget,
    };
    let received = request.received_on.0;
    if let AmendmentTarget::SessionNote { session } = &request.target
        && client.session(session).is_none()
    {
        findings.reject(
            format!("{path}/target/session"),
            format!("the session {session} is not a session of this client"),
        );
    }
    if request.requested_change.trim().is_empty() {
        findings.reject(
            format!("{path}/requested_change"),
            "a request says what the client asks to change".to_owned(),
        );
    }
    let first_due = received + chrono::Duration::days(AMENDMENT_DUE_DAYS);
    if let Some(extension) = &request.extension {
        if extension.recorded_on.0 < received || extension.recorded_on.0 >= first_due {
            findings.reject(
                format!("{path}/extension/recorded_on"),
                format!("an extension is recorded from the day the request was received and before its due date, {first_due}"),
            );
        }
        let latest = first_due + chrono::Duration::days(AMENDMENT_EXTENSION_MAX_DAYS);
        if extension.new_due_on.0 <= first_due || extension.new_due_on.0 > latest {
            findings.reject(
                format!("{path}/extension/new_due_on"),
                format!("an extension moves the due date past {first_due} by at most {AMENDMENT_EXTENSION_MAX_DAYS} days, to {latest} at the latest"),
            );
        }
        if extension.reason.trim().is_empty() {
            findings.reject(
                format!("{path}/extension/reason"),
                "an extension gives its reason".to_owned(),
            );
        }
    }
    if let Some(decision) = &request.decision {
        if decision.decided_on.0 < received {
            findings.reject(
                format!("{path}/decision/decided_on"),
                "a decision is not dated before the request was received".to_owned(),
            );
        }
        match decision.outcome {
            AmendmentOutcome::Denied => {
                if decision
                    .basis
                    .as_deref()
                    .is_none_or(|b| b.trim().is_empty())
                {
                    findings.reject(
                        format!("{path}/decision/basis"),
                        "a denial states its basis".to_owned(),
                    );
                }
            }
            AmendmentOutcome::Accepted => {
                for (field, value) in [
                    ("basis", &decision.basis),
                    (
                        "statement_of_disagreement",
                        &decision.statement_of_disagreement,
                    ),
                    ("rebuttal", &decision.rebuttal),
                ] {
                    if value.is_some() {
                        findings.reject(
                            format!("{path}/decision/{field}"),
                            "an accepted request has no basis of denial, statement of disagreement or rebuttal".to_owned(),
                        );
                    }
                }
            }
        }
    }
}
