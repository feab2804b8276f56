//! The rules of the interchange format that JSON Schema cannot express (see
//! docs/INTERCHANGE.md). They are checked on every import and on every change made
//! through the API, so the vault can never hold what an import would reject.

use crate::error::Rejection;
use crate::records::{Client, Id, SessionKind};
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
    let lists: [(&str, Vec<&Id>); 5] = [
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
    ];
    for (name, list) in lists {
        for (i, id) in list.into_iter().enumerate() {
            ids.push((id.clone(), format!("{base}/{name}/{i}/id")));
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
        if let Some(session_id) = &measure.session
            && client.session(session_id).is_none()
        {
            findings.reject(
                format!("{base}/measures/{i}/session"),
                format!("the session {session_id} is not a session of this client"),
            );
        }
    }
}
