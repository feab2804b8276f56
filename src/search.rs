//! Full-text search over every clinical text field, case- and accent-insensitive, done
//! in memory after unlock: no plaintext index ever touches the disk. A layer above the
//! vault: the caller owns the [`SearchIndex`] beside the unlocked vault and drops it
//! when the vault locks. The folded text of each client is built on first search and
//! kept (in zeroizing buffers) until the vault says the client changed
//! ([`Vault::client_revision`]).

use crate::error::Result;
use crate::records::{Client, Id};
use crate::vault::{ClientRevision, Vault};
use serde::Serialize;
use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::Zeroizing;

/// Most hits one search returns; the clinician refines the query past that.
pub const MAX_HITS: usize = 200;

/// Characters of context shown on each side of a match.
const SNIPPET_CONTEXT_CHARS: usize = 60;

/// The kind of record a hit was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Client,
    Part,
    Relationship,
    Agreement,
    Session,
    Measure,
    /// A named group of parts (its name).
    Group,
}

/// One field that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SearchHit {
    pub client_id: Id,
    pub client_name: String,
    pub kind: RecordKind,
    /// The record to open: the session for anything found inside a session.
    pub record_id: Id,
    /// Which field matched, in words ("note", "intention", "check-in concerns"…).
    pub field: &'static str,
    /// The matching passage with some context, on one line.
    pub snippet: String,
}

struct Entry {
    kind: RecordKind,
    record_id: Id,
    field: &'static str,
    text: Zeroizing<String>,
    folded: Zeroizing<String>,
}

struct IndexedClient {
    name: Zeroizing<String>,
    entries: Vec<Entry>,
}

/// The in-memory folded text of the clients searched so far, each with the revision of
/// the client it was built from. Keep one per unlocked vault and drop it on lock: it
/// holds clinical text.
#[derive(Default)]
pub struct SearchIndex {
    clients: HashMap<Id, (ClientRevision, IndexedClient)>,
}

/// Case- and accent-folded form of `text`: NFD, combining marks removed, lower case.
pub fn fold(text: &str) -> String {
    // Most notes are ASCII, whose NFD is itself and which holds no combining mark:
    // lower-casing bytes gives the same result without decomposing every character.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // Room for the rare character that folds longer, so growing seldom leaves an unwiped
    // copy of clinical text behind.
    let mut folded = String::with_capacity(text.len() + text.len() / 2);
    folded.extend(
        text.nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase),
    );
    folded
}

/// The folded form with, for each byte of it, the byte offset in `text` of the
/// character it came from.
fn fold_with_offsets(text: &str) -> (Zeroizing<String>, Vec<usize>) {
    // Room for the rare character that folds longer, so growing seldom leaves an
    // unwiped copy behind.
    let mut folded = Zeroizing::new(String::with_capacity(text.len() + text.len() / 2));
    let mut offsets = Vec::with_capacity(text.len());
    let mut buffer = [0u8; 4];
    for (offset, c) in text.char_indices() {
        for d in std::iter::once(c)
            .nfd()
            .filter(|d| !is_combining_mark(*d))
            .flat_map(char::to_lowercase)
        {
            folded.push(d);
            offsets.extend(std::iter::repeat_n(
                offset,
                d.encode_utf8(&mut buffer).len(),
            ));
        }
    }
    (folded, offsets)
}

fn entries_of(client: &Client) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut add = |kind, record_id: &str, field, text: &str| {
        if !text.trim().is_empty() {
            entries.push(Entry {
                kind,
                record_id: record_id.to_owned(),
                field,
                folded: Zeroizing::new(fold(text)),
                text: Zeroizing::new(text.to_owned()),
            });
        }
    };
    let p = &client.profile;
    let id = p.id.as_str();
    add(RecordKind::Client, id, "display name", &p.display_name);
    add(
        RecordKind::Client,
        id,
        "full name",
        p.full_name.as_deref().unwrap_or(""),
    );
    add(RecordKind::Client, id, "client notes", &p.notes);
    if let Some(prescriber) = &p.prescriber {
        add(RecordKind::Client, id, "prescriber", &prescriber.name);
        add(
            RecordKind::Client,
            id,
            "prescriber",
            prescriber.organization.as_deref().unwrap_or(""),
        );
    }
    if let Some(screening) = &p.screening {
        add(RecordKind::Client, id, "screening notes", &screening.notes);
        add(
            RecordKind::Client,
            id,
            "medications",
            &screening.medications,
        );
        add(RecordKind::Client, id, "allergies", &screening.allergies);
        for c in &screening.contraindications {
            add(RecordKind::Client, id, "contraindication note", &c.note);
        }
    }
    for part in &client.parts {
        let id = part.id.as_str();
        add(RecordKind::Part, id, "part name", &part.name);
        add(RecordKind::Part, id, "part description", &part.description);
        add(
            RecordKind::Part,
            id,
            "age",
            part.age_sense.as_deref().unwrap_or(""),
        );
        add(RecordKind::Part, id, "fears", &part.fears);
        add(
            RecordKind::Part,
            id,
            "positive intent",
            &part.positive_intent,
        );
        add(RecordKind::Part, id, "burdens", &part.burdens);
        add(
            RecordKind::Part,
            id,
            "body location",
            part.body_location.as_deref().unwrap_or(""),
        );
        for step in &part.unburdening {
            add(RecordKind::Part, id, "unburdening note", &step.note);
            add(
                RecordKind::Part,
                id,
                "what was released",
                step.released.as_deref().unwrap_or(""),
            );
            add(
                RecordKind::Part,
                id,
                "qualities taken in",
                step.qualities.as_deref().unwrap_or(""),
            );
        }
    }
    for g in &client.groups {
        add(RecordKind::Group, &g.id, "group name", &g.name);
    }
    for r in &client.relationships {
        add(
            RecordKind::Relationship,
            &r.id,
            "relationship note",
            &r.note,
        );
    }
    for a in &client.agreements {
        add(RecordKind::Agreement, &a.id, "agreement", &a.text);
    }
    for s in &client.sessions {
        let id = s.id.as_str();
        add(RecordKind::Session, id, "note", &s.note);
        // A note written in a template: each section's text (the headings are the
        // template's, found in every such note, so they are not indexed).
        for section in &s.sections {
            add(RecordKind::Session, id, "note", &section.text);
        }
        for addendum in &s.addenda {
            add(RecordKind::Session, id, "addendum", &addendum.text);
        }
        for intention in &s.intentions {
            add(RecordKind::Session, id, "intention", &intention.text);
        }
        add(RecordKind::Session, id, "safety plan", &s.safety_plan);
        add(
            RecordKind::Session,
            id,
            "support person",
            s.support_person.as_deref().unwrap_or(""),
        );
        if let Some(checkin) = &s.checkin {
            for response in &checkin.responses {
                add(
                    RecordKind::Session,
                    id,
                    "check-in concerns",
                    &response.concerns,
                );
                add(
                    RecordKind::Session,
                    id,
                    "check-in requests",
                    &response.requests,
                );
            }
            add(
                RecordKind::Session,
                id,
                "check-in decision",
                &checkin.decision_note,
            );
        }
        if let Some(o) = &s.observations {
            add(RecordKind::Session, id, "observations", &o.notes);
            for note in &o.timeline {
                add(RecordKind::Session, id, "journey note", &note.text);
            }
        }
        if let Some(pre_dose) = &s.pre_dose {
            add(RecordKind::Session, id, "pre-dose notes", &pre_dose.notes);
            add(
                RecordKind::Session,
                id,
                "ride home",
                pre_dose.ride_home.as_deref().unwrap_or(""),
            );
        }
        for reading in &s.monitoring {
            add(RecordKind::Session, id, "reading note", &reading.note);
        }
        if let Some(discharge) = &s.discharge {
            add(RecordKind::Session, id, "discharge notes", &discharge.notes);
            add(
                RecordKind::Session,
                id,
                "left with",
                discharge.left_with.as_deref().unwrap_or(""),
            );
        }
        for event in &s.adverse_events {
            add(
                RecordKind::Session,
                id,
                "adverse event action",
                event.action.as_deref().unwrap_or(""),
            );
        }
        if let Some(i) = &s.integration {
            add(RecordKind::Session, id, "insights", &i.insights);
            add(RecordKind::Session, id, "messages", &i.messages);
            for r in &i.intention_reflections {
                add(
                    RecordKind::Session,
                    id,
                    "intention reflection",
                    &r.reflection,
                );
            }
            add(RecordKind::Session, id, "commitments", &i.commitments);
        }
    }
    for m in &client.measures {
        if let Some(follow_up) = &m.safety_follow_up {
            add(
                RecordKind::Measure,
                &m.id,
                "safety follow-up",
                &follow_up.note,
            );
        }
    }
    entries
}

/// A one-line passage of `text` around the byte range `start..end`.
fn snippet(text: &str, start: usize, end: usize) -> String {
    let before: Vec<char> = text[..start]
        .chars()
        .rev()
        .take(SNIPPET_CONTEXT_CHARS)
        .collect();
    let after: String = text[end..].chars().take(SNIPPET_CONTEXT_CHARS).collect();
    let mut out = String::new();
    if before.len() == SNIPPET_CONTEXT_CHARS && start > 0 {
        out.push('…');
    }
    out.extend(before.into_iter().rev());
    out.push_str(&text[start..end]);
    out.push_str(&after);
    if text[end..].chars().count() > SNIPPET_CONTEXT_CHARS {
        out.push('…');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn search_entries(
    terms: &[String],
    client_id: &str,
    client: &IndexedClient,
    hits: &mut Vec<SearchHit>,
) {
    for entry in &client.entries {
        if hits.len() >= MAX_HITS {
            return;
        }
        let mut first = None;
        let all_found = terms.iter().all(|term| {
            match memchr::memmem::find(entry.folded.as_bytes(), term.as_bytes()) {
                Some(at) => {
                    first = first.or(Some((at, at + term.len())));
                    true
                }
                None => false,
            }
        });
        let Some((folded_start, folded_end)) = first.filter(|_| all_found) else {
            continue;
        };
        // Map the folded match back onto the original text for the snippet.
        let (_folded_copy, offsets) = fold_with_offsets(&entry.text);
        let start = offsets.get(folded_start).copied().unwrap_or(0);
        let end = offsets
            .get(folded_end)
            .copied()
            .unwrap_or(entry.text.len())
            .max(start + entry.text[start..].chars().next().map_or(0, char::len_utf8));
        hits.push(SearchHit {
            client_id: client_id.to_owned(),
            client_name: client.name.to_string(),
            kind: entry.kind,
            record_id: entry.record_id.clone(),
            field: entry.field,
            snippet: snippet(&entry.text, start, end.min(entry.text.len())),
        });
    }
}

impl SearchIndex {
    pub fn new() -> SearchIndex {
        SearchIndex::default()
    }

    /// Finds every field containing all the words of `query` (case and accents do not
    /// matter), in one client's record or, with `None`, across the whole vault.
    pub fn search(
        &mut self,
        vault: &Vault,
        query: &str,
        client_id: Option<&str>,
    ) -> Result<Vec<SearchHit>> {
        let terms: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let ids = match client_id {
            Some(id) => vec![id.to_owned()],
            None => self.current_clients(vault)?,
        };
        let mut hits = Vec::new();
        for id in ids {
            let indexed = self.indexed(vault, &id)?;
            search_entries(&terms, &id, indexed, &mut hits);
        }
        Ok(hits)
    }

    /// Builds the in-memory search text of every client now, so that the first search
    /// after unlock is as quick as the later ones (the desktop app calls this right after
    /// unlocking, in the background).
    pub fn prepare(&mut self, vault: &Vault) -> Result<()> {
        for id in self.current_clients(vault)? {
            self.indexed(vault, &id)?;
        }
        Ok(())
    }

    /// Forgets (and wipes) the text of every client that changed or left the vault since
    /// it was built, without building anything: called after each change, so superseded
    /// or deleted words do not linger in memory until the next search.
    pub fn forget_stale(&mut self, vault: &Vault) {
        self.clients
            .retain(|id, (revision, _)| vault.client_revision(id) == *revision);
    }

    /// Whether the index holds text of this client (built, and not yet forgotten).
    pub fn holds_text_of(&self, client_id: &str) -> bool {
        self.clients.contains_key(client_id)
    }

    /// The vault's clients, forgetting the text of any it no longer holds.
    fn current_clients(&mut self, vault: &Vault) -> Result<Vec<Id>> {
        let ids = vault.client_ids()?;
        let held: HashSet<&str> = ids.iter().map(String::as_str).collect();
        self.clients.retain(|id, _| held.contains(id.as_str()));
        Ok(ids)
    }

    /// The client's text, built again when the client changed since it was built.
    fn indexed(&mut self, vault: &Vault, id: &str) -> Result<&IndexedClient> {
        let revision = vault.client_revision(id);
        let slot = match self.clients.entry(id.to_owned()) {
            Slot::Occupied(built) if built.get().0 == revision => built.into_mut(),
            entry => {
                // Today's records only: the map's history is not searched.
                let client = vault.records_today(id)?;
                let indexed = IndexedClient {
                    name: Zeroizing::new(client.profile.display_name.clone()),
                    entries: entries_of(&client),
                };
                match entry {
                    Slot::Occupied(mut stale) => {
                        stale.insert((revision, indexed));
                        stale.into_mut()
                    }
                    Slot::Vacant(new) => new.insert((revision, indexed)),
                }
            }
        };
        Ok(&slot.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Élodie ÇA Über"), "elodie ca uber");
        assert_eq!(fold("Plain ASCII, Mixed Case"), "plain ascii, mixed case");
        assert_eq!(fold("São Paulo"), "sao paulo");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "Ça va, Élodie?";
        let (folded, offsets) = fold_with_offsets(text);
        let at = folded.find("elodie").unwrap();
        assert_eq!(&text[offsets[at]..], "Élodie?");
    }

    #[test]
    fn snippets_are_one_line_with_ellipses() {
        let text = format!("{}\nthe word here\n{}", "a ".repeat(100), "b ".repeat(100));
        let start = text.find("word").unwrap();
        let s = snippet(&text, start, start + 4);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.contains("the word here"));
        assert!(!s.contains('\n'));
    }
}
