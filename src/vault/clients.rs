//! The record API: create, read, update, list and delete every kind of record. Each
//! change goes through [`Vault::modify_client`], so the rules (signed notes are locked,
//! nothing is left pointing at a deleted record, every interchange rule holds) are
//! enforced in one place.

use super::audit::{self, AuditAction, AuditEvent};
use super::{ClientRecord, NoteHistory, Table, Vault, store};
use crate::error::{Error, Refusal, Result};
use crate::parts_history::{self, MapComparison, MapOnDay, PartStory};
use crate::records::{
    Addendum, Agreement, Client, ClientProfile, Date, Measure, Part, PartGroup, PartPosition,
    PartStatus, Relationship, Session, SessionStatus, Timestamp, UnburdeningStep,
    UnburdeningStepKind,
};
use serde::Serialize;

/// A client's whole parts map: what the map screen shows in one call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PartsMap {
    pub parts: Vec<Part>,
    pub relationships: Vec<Relationship>,
    pub agreements: Vec<Agreement>,
    pub groups: Vec<PartGroup>,
    /// When the map's history begins (`None` before the vault was brought up to date).
    pub history_since: Option<Timestamp>,
}

/// Refuses any change to a signed session other than appending addenda, and its
/// deletion.
pub(crate) fn guard_signed_sessions(before: &Client, after: &Client) -> Result<()> {
    for signed in before.sessions.iter().filter(|s| s.is_signed()) {
        let Some(now) = after.session(&signed.id) else {
            return Err(Refusal::SignedSessionPermanent.into());
        };
        let kept = signed.addenda.len();
        let appended_only = now.addenda.len() >= kept && now.addenda[..kept] == signed.addenda[..];
        let mut without_new_addenda = now.clone();
        without_new_addenda.addenda.truncate(kept);
        if !appended_only || without_new_addenda != *signed {
            return Err(Refusal::SignedSessionLocked.into());
        }
    }
    Ok(())
}

/// The part `part_id` of a client, to change it.
fn part_in<'a>(client: &'a mut Client, part_id: &str) -> Result<&'a mut Part> {
    client
        .parts
        .iter_mut()
        .find(|p| p.id == part_id)
        .ok_or_else(|| Error::NotFound {
            what: "part",
            id: part_id.to_owned(),
        })
}

/// The session `session_id` of a client, to change it.
pub(crate) fn session_in<'a>(client: &'a mut Client, session_id: &str) -> Result<&'a mut Session> {
    client
        .sessions
        .iter_mut()
        .find(|s| s.id == session_id)
        .ok_or_else(|| Error::NotFound {
            what: "session",
            id: session_id.to_owned(),
        })
}

/// What in a client's record points at `id` (a part, a session, or an intention), in
/// words for an error message.
fn references_to(client: &Client, id: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut note = |hit: bool, what: &'static str| {
        if hit && !found.contains(&what) {
            found.push(what);
        }
    };
    for r in &client.relationships {
        note(r.from_part == id || r.to_part == id, "a relationship");
    }
    for a in &client.agreements {
        note(a.parts.iter().any(|p| p == id), "an agreement");
    }
    for p in &client.parts {
        note(
            p.unburdening.iter().any(|step| step.session == id),
            "a step of a part's unburdening",
        );
    }
    for s in &client.sessions {
        note(
            s.intentions.iter().any(|i| i.part.as_deref() == Some(id)),
            "an intention",
        );
        if let Some(c) = &s.checkin {
            note(c.responses.iter().any(|r| r.part == id), "a check-in");
        }
        if let Some(o) = &s.observations {
            note(
                o.parts_present.iter().any(|p| p == id),
                "the observations of a dosing session",
            );
        }
        if let Some(i) = &s.integration {
            note(
                i.parts_encountered.iter().any(|p| p == id),
                "an integration session",
            );
            note(
                i.dosing_session.as_deref() == Some(id),
                "an integration session",
            );
            let own_intentions = |intention: &str| {
                client
                    .session(id)
                    .is_some_and(|target| target.intentions.iter().any(|x| x.id == intention))
            };
            note(
                i.intention_reflections
                    .iter()
                    .any(|r| own_intentions(&r.intention)),
                "an integration session's reflections",
            );
        }
    }
    for m in &client.measures {
        note(m.session.as_deref() == Some(id), "an outcome measure");
    }
    for r in &client.amendment_requests {
        note(
            matches!(&r.target, crate::records::AmendmentTarget::SessionNote { session } if session == id),
            "an amendment request",
        );
    }
    found
}

fn refuse_if_referenced(client: &Client, id: &str, what: &'static str) -> Result<()> {
    let refs = references_to(client, id);
    if refs.is_empty() {
        return Ok(());
    }
    Err(Refusal::StillReferenced {
        what,
        by: refs.join(" and "),
    }
    .into())
}

/// Where a kind of record lives inside a client.
trait Listed: ClientRecord + Clone {
    fn list(client: &mut Client) -> &mut Vec<Self>;
}

macro_rules! listed {
    ($type:ty, $field:ident) => {
        impl Listed for $type {
            fn list(client: &mut Client) -> &mut Vec<Self> {
                &mut client.$field
            }
        }
    };
}
listed!(Part, parts);
listed!(Relationship, relationships);
listed!(Agreement, agreements);
listed!(Session, sessions);
listed!(Measure, measures);
listed!(PartGroup, groups);

impl Vault {
    fn create_child<T: Listed>(&mut self, client_id: &str, record: T) -> Result<()> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            if T::list(client)
                .iter()
                .any(|r| r.record_id() == record.record_id())
            {
                return Err(Error::rejected("/id", "this id is already used"));
            }
            T::list(client).push(record);
            Ok(())
        })
    }

    fn update_child<T: Listed>(&mut self, record: T) -> Result<()> {
        let client_id = self.client_of(T::TABLE, record.record_id())?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            let slot = T::list(client)
                .iter_mut()
                .find(|r| r.record_id() == record.record_id())
                .ok_or_else(|| Error::NotFound {
                    what: T::TABLE.record_name(),
                    id: record.record_id().to_owned(),
                })?;
            *slot = record;
            Ok(())
        })
    }

    fn delete_child<T: Listed>(&mut self, id: &str) -> Result<()> {
        let client_id = self.client_of(T::TABLE, id)?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            T::list(client).retain(|r| r.record_id() != id);
            Ok(())
        })
    }

    fn read_child<T: ClientRecord>(&self, id: &str) -> Result<T> {
        let (meta, sealed) = store::require_row(&self.conn, T::TABLE, id)?;
        self.keys.open_record(T::TABLE, &meta, &sealed)
    }

    // ----- clients -----

    /// Every client's profile (archived ones included), by creation time then id.
    pub fn list_clients(&self) -> Result<Vec<ClientProfile>> {
        let mut clients = Vec::new();
        for (meta, sealed) in store::load_rows(&self.conn, Table::Clients, None)? {
            let profile: ClientProfile = self.keys.open_record(Table::Clients, &meta, &sealed)?;
            clients.push(profile);
        }
        clients.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(clients)
    }

    /// One client's whole record: profile, parts map and its history, sessions by
    /// date, measures.
    pub fn client(&self, client_id: &str) -> Result<Client> {
        let mut client = self.load_client(client_id)?.client;
        client.map_history = self.load_map_history(client_id)?;
        Ok(client)
    }

    pub fn client_profile(&self, client_id: &str) -> Result<ClientProfile> {
        let (meta, sealed) = store::require_row(&self.conn, Table::Clients, client_id)?;
        self.keys.open_record(Table::Clients, &meta, &sealed)
    }

    pub fn create_client(&mut self, profile: ClientProfile) -> Result<()> {
        self.require_writable()?;
        let mut client = Client::new(profile);
        crate::validation::validate_client(&client)?;
        crate::validation::text::check_changed_client(&mut client, None)?;
        if store::load_row(&self.conn, Table::Clients, client.id())?.is_some() {
            return Err(Error::rejected(
                "/id",
                "this id is already used in this vault",
            ));
        }
        self.insert_clients(
            std::slice::from_ref(&client),
            &Default::default(),
            AuditAction::Created,
            None,
        )
    }

    pub fn update_client(&mut self, profile: ClientProfile) -> Result<()> {
        let id = profile.id.clone();
        self.modify_client(&id, NoteHistory::Automatic, |client| {
            client.profile = profile;
            Ok(())
        })
    }

    pub fn set_client_archived(&mut self, client_id: &str, archived: bool) -> Result<()> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            client.profile.archived = archived;
            Ok(())
        })
    }

    /// Deletes a client and all their records. A client with any signed session is
    /// part of the permanent record: archive them instead.
    pub fn delete_client(&mut self, client_id: &str) -> Result<()> {
        self.require_writable()?;
        let client = self.client(client_id)?;
        if client.sessions.iter().any(Session::is_signed) {
            return Err(Refusal::ClientHasSignedNotes.into());
        }
        let tx = self.conn.transaction()?;
        // Its history, groups and attachments go with it: the client's recorded
        // deletion covers them (their chunks first, overwritten by secure delete).
        tx.execute(
            "DELETE FROM attachment_chunks WHERE attachment_id IN (SELECT id FROM attachments WHERE client_id = ?1)",
            [client_id],
        )?;
        for table in [
            Table::AmendmentRequests,
            Table::Acknowledgements,
            Table::Attachments,
            Table::MapHistory,
            Table::Groups,
            Table::Measures,
            Table::Sessions,
            Table::Agreements,
            Table::Relationships,
            Table::Parts,
        ] {
            tx.execute(
                &format!("DELETE FROM {} WHERE client_id = ?1", table.name()),
                [client_id],
            )?;
        }
        store::delete(&tx, Table::Clients, client_id)?;
        let event = AuditEvent::new(AuditAction::Deleted)
            .client(client_id)
            .record(Table::Clients, client_id)
            .detail(format!(
                "with {} parts, {} sessions, {} measures",
                client.parts.len(),
                client.sessions.len(),
                client.measures.len()
            ));
        audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        self.revisions.changed(client_id);
        Ok(())
    }

    // ----- the parts map -----

    /// A client's whole parts map in one call, in the order the parts were created.
    pub fn parts_map(&self, client_id: &str) -> Result<PartsMap> {
        let loaded = self.load_client(client_id)?.client;
        Ok(PartsMap {
            parts: loaded.parts,
            relationships: loaded.relationships,
            agreements: loaded.agreements,
            groups: loaded.groups,
            history_since: self.map_history_since(client_id)?,
        })
    }

    /// The map as it stood at the end of `date` (read-only; see [`MapOnDay`]).
    pub fn map_on(&self, client_id: &str, date: Date) -> Result<MapOnDay> {
        Ok(parts_history::map_on(&self.client(client_id)?, date))
    }

    /// The maps of two days and what changed between them, in words.
    pub fn compare_maps(&self, client_id: &str, from: Date, to: Date) -> Result<MapComparison> {
        Ok(parts_history::compare_maps(
            &self.client(client_id)?,
            from,
            to,
        ))
    }

    /// A part's story across the course, newest first.
    pub fn part_story(&self, part_id: &str) -> Result<PartStory> {
        let client_id = self.client_of(Table::Parts, part_id)?;
        parts_history::part_story(&self.client(&client_id)?, part_id).ok_or_else(|| {
            Error::NotFound {
                what: "part",
                id: part_id.to_owned(),
            }
        })
    }

    // ----- groups -----

    /// Names a cluster of parts. A part is in at most one group.
    pub fn create_group(&mut self, client_id: &str, group: PartGroup) -> Result<()> {
        self.create_child(client_id, group)
    }

    /// Renames a group, changes its parts, or folds or unfolds it (a fold is layout: it
    /// writes no history).
    pub fn update_group(&mut self, group: PartGroup) -> Result<()> {
        self.update_child(group)
    }

    /// Deletes a group; its parts stay on the map.
    pub fn delete_group(&mut self, group_id: &str) -> Result<()> {
        self.delete_child::<PartGroup>(group_id)
    }

    // ----- unburdening -----

    /// Records a step of a part's unburdening: adds it, or replaces the step with the
    /// same id. Adding or changing a step of kind "unburdening" sets the part's status
    /// to unburdened (it stays editable with [`Vault::update_part`]). Returns the part.
    pub fn record_unburdening_step(
        &mut self,
        part_id: &str,
        step: UnburdeningStep,
    ) -> Result<Part> {
        let client_id = self.client_of(Table::Parts, part_id)?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            let part = part_in(client, part_id)?;
            let changed = match part.unburdening.iter_mut().find(|s| s.id == step.id) {
                Some(stored) if *stored == step => false,
                Some(stored) => {
                    *stored = step.clone();
                    true
                }
                None => {
                    part.unburdening.push(step.clone());
                    true
                }
            };
            if changed && step.kind == UnburdeningStepKind::Unburdening {
                part.status = PartStatus::Unburdened;
            }
            Ok(part.clone())
        })
    }

    /// Removes a step of a part's unburdening (the part's status stays as it is).
    /// Returns the part.
    pub fn delete_unburdening_step(&mut self, part_id: &str, step_id: &str) -> Result<Part> {
        let client_id = self.client_of(Table::Parts, part_id)?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            let part = part_in(client, part_id)?;
            let before = part.unburdening.len();
            part.unburdening.retain(|s| s.id != step_id);
            if part.unburdening.len() == before {
                return Err(Error::NotFound {
                    what: "unburdening step",
                    id: step_id.to_owned(),
                });
            }
            Ok(part.clone())
        })
    }

    pub fn part(&self, part_id: &str) -> Result<Part> {
        self.read_child(part_id)
    }

    pub fn create_part(&mut self, client_id: &str, part: Part) -> Result<()> {
        self.create_child(client_id, part)
    }

    pub fn update_part(&mut self, part: Part) -> Result<()> {
        self.update_child(part)
    }

    /// Places several parts of one client's map at once (a layout, a tidy, a group
    /// moved): one transaction, only their positions changed, so an edit the clinician
    /// made to a part meanwhile is kept. Positions are layout: no history is written.
    pub fn set_part_positions(
        &mut self,
        client_id: &str,
        positions: &[PartPosition],
    ) -> Result<()> {
        self.modify_client(client_id, NoteHistory::Automatic, |client| {
            for placed in positions {
                let part = client
                    .parts
                    .iter_mut()
                    .find(|p| p.id == placed.part)
                    .ok_or_else(|| Error::NotFound {
                        what: Table::Parts.record_name(),
                        id: placed.part.clone(),
                    })?;
                part.position = Some(placed.position);
            }
            Ok(())
        })
    }

    /// Deletes a part with the relationships drawn to it. Refused while anything else
    /// (a check-in, an intention, an agreement…) names the part.
    pub fn delete_part(&mut self, part_id: &str) -> Result<()> {
        let client_id = self.client_of(Table::Parts, part_id)?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            client
                .relationships
                .retain(|r| r.from_part != part_id && r.to_part != part_id);
            refuse_if_referenced(client, part_id, "part")?;
            client.parts.retain(|p| p.id != part_id);
            for group in &mut client.groups {
                group.parts.retain(|p| p != part_id);
            }
            Ok(())
        })
    }

    pub fn create_relationship(
        &mut self,
        client_id: &str,
        relationship: Relationship,
    ) -> Result<()> {
        self.create_child(client_id, relationship)
    }

    pub fn update_relationship(&mut self, relationship: Relationship) -> Result<()> {
        self.update_child(relationship)
    }

    pub fn delete_relationship(&mut self, relationship_id: &str) -> Result<()> {
        self.delete_child::<Relationship>(relationship_id)
    }

    pub fn create_agreement(&mut self, client_id: &str, agreement: Agreement) -> Result<()> {
        self.create_child(client_id, agreement)
    }

    pub fn update_agreement(&mut self, agreement: Agreement) -> Result<()> {
        self.update_child(agreement)
    }

    pub fn delete_agreement(&mut self, agreement_id: &str) -> Result<()> {
        self.delete_child::<Agreement>(agreement_id)
    }

    // ----- sessions -----

    /// A client's sessions by start time.
    pub fn sessions(&self, client_id: &str) -> Result<Vec<Session>> {
        Ok(self.load_client(client_id)?.client.sessions)
    }

    pub fn session(&self, session_id: &str) -> Result<Session> {
        self.read_child(session_id)
    }

    pub fn create_session(&mut self, client_id: &str, session: Session) -> Result<()> {
        self.create_child(client_id, session)
    }

    /// Creates a new session of `kind`, its note started in the practice's default
    /// template for that kind (a plain note when there is none), and returns it.
    pub fn start_session(
        &mut self,
        client_id: &str,
        kind: crate::records::SessionKind,
        starts_at: crate::records::Timestamp,
    ) -> Result<Session> {
        let mut session = Session::new(kind, starts_at);
        session.use_template(self.note_templates()?.default_for(kind));
        self.create_child(client_id, session.clone())?;
        Ok(session)
    }

    /// Saves a session (autosave calls this as the clinician types). Refused for a
    /// signed session.
    pub fn update_session(&mut self, session: Session) -> Result<()> {
        self.update_child(session)
    }

    /// Deletes an unsigned session that nothing refers to.
    pub fn delete_session(&mut self, session_id: &str) -> Result<()> {
        let client_id = self.client_of(Table::Sessions, session_id)?;
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            refuse_if_referenced(client, session_id, "session")?;
            client.sessions.retain(|s| s.id != session_id);
            Ok(())
        })
    }

    /// Signs a session's note now. From then on it only takes addenda.
    pub fn sign_session(&mut self, session_id: &str) -> Result<Timestamp> {
        let client_id = self.client_of(Table::Sessions, session_id)?;
        let at = Timestamp::now();
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            let session = session_in(client, session_id)?;
            if session.is_signed() {
                return Err(Refusal::AlreadySigned.into());
            }
            if session.status == SessionStatus::Planned {
                return Err(Refusal::PlannedSessionUnsignable.into());
            }
            session.signed_at = Some(at.clone());
            Ok(())
        })?;
        Ok(at)
    }

    /// Appends a dated addendum to a signed session.
    pub fn add_addendum(&mut self, session_id: &str, text: &str) -> Result<Addendum> {
        let client_id = self.client_of(Table::Sessions, session_id)?;
        let addendum = Addendum {
            at: Timestamp::now(),
            text: text.to_owned(),
        };
        self.modify_client(&client_id, NoteHistory::Automatic, |client| {
            let session = session_in(client, session_id)?;
            if !session.is_signed() {
                return Err(Refusal::AddendumToUnsignedNote.into());
            }
            if text.trim().is_empty() {
                return Err(Error::rejected("/addenda", "an addendum needs some text"));
            }
            session.addenda.push(addendum.clone());
            Ok(())
        })?;
        Ok(addendum)
    }

    // ----- measures -----

    pub fn measures(&self, client_id: &str) -> Result<Vec<Measure>> {
        Ok(self.load_client(client_id)?.client.measures)
    }

    pub fn create_measure(&mut self, client_id: &str, measure: Measure) -> Result<()> {
        self.create_child(client_id, measure)
    }

    pub fn update_measure(&mut self, measure: Measure) -> Result<()> {
        self.update_child(measure)
    }

    pub fn delete_measure(&mut self, measure_id: &str) -> Result<()> {
        self.delete_child::<Measure>(measure_id)
    }
}
