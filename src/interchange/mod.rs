//! The interchange format (docs/kapnotes-interchange-v1.schema.json and
//! docs/INTERCHANGE.md): all-or-nothing import, and export in the canonical form.
//!
//! A document is checked in passes, each reporting the JSON path of the offending
//! value: the JSON itself (no key twice in one object, [`json_keys`]), the JSON Schema
//! (formats checked), the characters text may hold ([`text`], from `validation`), the typed model (which
//! refuses, for instance, an integer written with a fraction), and the rules the schema
//! cannot express (`validation::rules`). Only a document that passes all of them is written, in
//! one transaction.

mod archive;
mod json_keys;

pub use crate::validation::text;
pub use crate::validation::{
    FORMAT_NAME, FORMAT_VERSION, SCHEMA_JSON, validate_client, validate_clinician,
};

use crate::error::{Error, Internal, Refusal, Result};
use crate::records::{Attachment, Client, Clinician, Id, NoteTemplates, Timestamp};
use crate::rules::{DosingThresholds, RetentionPeriods};
use crate::validation::rules::{self, Findings};
use crate::validation::{first_rejection, schema_rejection};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A whole interchange document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub format: String,
    pub version: u32,
    pub exported_at: Timestamp,
    #[serde(default)]
    pub clinician: Option<Clinician>,
    pub clients: Vec<Client>,
    /// The dosing-day thresholds the clinician changed, in a whole-vault export. Added
    /// after v1: written only when one was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<DosingThresholds>,
    /// The practice's note templates, in a whole-vault export. Added after v1: written
    /// only when the clinician changed them from kapnotes' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_templates: Option<NoteTemplates>,
    /// How long records are kept, in a whole-vault export. Added after v1: written only
    /// when the clinician changed it from the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPeriods>,
    /// The name of the archive beside the document that holds the attachments' files
    /// (a name in the same folder, never a path). Added after v1: written only with
    /// attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments_archive: Option<String>,
    /// The files kept with the clients' records: each named by id and SHA-256, its
    /// content in the archive. Added after v1: written only when there are some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl Document {
    /// The canonical text of the document: every key present, two-space indentation.
    pub fn to_canonical_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|_| Error::Internal(Internal::Encoding { what: "the export" }))?;
        text.push('\n');
        Ok(text)
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportScope {
    /// The whole vault, psychotherapy notes included: a backup and migration format.
    Everything,
    /// One client for a records request. Sessions marked as psychotherapy notes are
    /// left out unless asked for, and so is whatever points into them.
    Client {
        id: Id,
        include_psychotherapy_notes: bool,
    },
}

/// What an import added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ImportSummary {
    pub clients: usize,
    pub sessions: usize,
}

/// Turns a serde_path_to_error path into a JSON pointer.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1")))
            }
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let rule = match e.inner().classify() {
            serde_json::error::Category::Data => {
                // serde's message names the expected type, never the value's text.
                let message = e.inner().to_string();
                message
                    .split(" at line")
                    .next()
                    .unwrap_or(&message)
                    .to_owned()
            }
            _ => "the value is malformed".to_owned(),
        };
        Error::rejected(pointer(e.path()), rule)
    })
}

/// Parses and checks a whole document without touching any vault.
pub fn parse_document(json: &str) -> Result<Document> {
    let mut value = json_keys::parse_without_duplicate_keys(json)?;
    if let Some(rejection) = schema_rejection(&value)? {
        return Err(Error::Rejected(rejection));
    }
    check_new_text(&mut value)?;
    let mut document: Document = typed(value)?;
    // The schema bounds each value; whether each warning lies short of its stop is
    // checked here. A document that lists only defaults changes nothing.
    if let Some(thresholds) = document.thresholds.take() {
        thresholds.check("/thresholds")?;
        document.thresholds = Some(thresholds.normalized()).filter(|t| !t.is_default());
    }
    if let Some(templates) = document.note_templates.take() {
        crate::validation::validate_note_templates(&templates)?;
        document.note_templates = Some(templates).filter(|t| !t.is_default());
    }
    if let Some(retention) = document.retention.take() {
        retention.check("/retention")?;
        document.retention = Some(retention).filter(|r| !r.is_default());
    }
    // Ids first: a duplicated id would otherwise surface as a confusing broken reference.
    let mut findings = Findings::default();
    let ids: Vec<_> = document
        .clients
        .iter()
        .enumerate()
        .flat_map(|(i, client)| rules::defined_ids(client, &format!("/clients/{i}")))
        .chain(
            document
                .attachments
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.clone(), format!("/attachments/{i}/id"))),
        )
        .collect();
    rules::check_unique_ids(&ids, &mut findings);
    archive::check_attachments(&document)?;
    // Whose each id is: the client defining it, or else the first whose history
    // names it. A history may name only its own client's records and sessions.
    let mut owner: HashMap<Id, usize> = HashMap::new();
    for (i, client) in document.clients.iter().enumerate() {
        owner.extend(
            rules::defined_ids(client, "")
                .into_iter()
                .map(|(id, _)| (id, i)),
        );
    }
    for (i, client) in document.clients.iter().enumerate() {
        for (id, _) in rules::history_ids(client, "") {
            owner.entry(id).or_insert(i);
        }
    }
    for (i, client) in document.clients.iter().enumerate() {
        rules::check_history_owner(
            client,
            &format!("/clients/{i}"),
            |id| owner.get(id).is_some_and(|o| *o != i),
            "another client of this document",
            &mut findings,
        );
    }
    for (i, client) in document.clients.iter().enumerate() {
        rules::check_client(client, &format!("/clients/{i}"), &mut findings);
    }
    first_rejection(findings)?;
    Ok(document)
}

/// The text rule over a whole document that passed the schema: everything in it is new.
fn check_new_text(document: &mut Value) -> Result<()> {
    if let Some(clinician) = document.get_mut("clinician").filter(|c| !c.is_null()) {
        text::check_changed_text(clinician, None, text::RecordKind::Clinician, "/clinician")?;
    }
    if let Some(clients) = document.get_mut("clients").and_then(Value::as_array_mut) {
        for (i, client) in clients.iter_mut().enumerate() {
            let base = format!("/clients/{i}");
            text::check_changed_text(client, None, text::RecordKind::Client, &base)?;
        }
    }
    Ok(())
}

/// Leaves out of a records-request export the sessions marked as psychotherapy notes,
/// and every pointer into them (a measure's session, an integration's dosing session,
/// reflections on their intentions).
pub(crate) fn leave_out_psychotherapy_notes(client: &mut Client) {
    // An unburdening step stays, today's and in every version of the map's history,
    // only when its session is one the request keeps: whether a session since deleted
    // was a psychotherapy note is no longer known, so its steps go too.
    let kept: HashSet<Id> = client
        .sessions
        .iter()
        .filter(|s| !s.psychotherapy_note)
        .map(|s| s.id.clone())
        .collect();
    for part in &mut client.parts {
        part.unburdening.retain(|step| kept.contains(&step.session));
    }
    if let Some(history) = &mut client.map_history {
        for version in &mut history.versions {
            if let crate::records::VersionedRecord::Part(part) = &mut version.record {
                part.unburdening.retain(|step| kept.contains(&step.session));
            }
        }
    }
    let excluded: HashSet<Id> = client
        .sessions
        .iter()
        .filter(|s| s.psychotherapy_note)
        .map(|s| s.id.clone())
        .collect();
    if excluded.is_empty() {
        return;
    }
    let excluded_intentions: HashSet<Id> = client
        .sessions
        .iter()
        .filter(|s| s.psychotherapy_note)
        .flat_map(|s| s.intentions.iter().map(|i| i.id.clone()))
        .collect();
    client.sessions.retain(|s| !s.psychotherapy_note);
    // An acknowledgement about a session left out would name it (and give its reason).
    client
        .acknowledgements
        .retain(|a| !excluded.contains(&a.record_id));
    // A request about a psychotherapy note left out would name it; one about any
    // other record stays, with its denial, since it is disclosed with the record.
    client.amendment_requests.retain(|r| {
        !matches!(&r.target, crate::records::AmendmentTarget::SessionNote { session } if excluded.contains(session))
    });
    for session in &mut client.sessions {
        if let Some(integration) = &mut session.integration {
            if integration
                .dosing_session
                .as_ref()
                .is_some_and(|id| excluded.contains(id))
            {
                integration.dosing_session = None;
            }
            integration
                .intention_reflections
                .retain(|r| !excluded_intentions.contains(&r.intention));
        }
    }
    for measure in &mut client.measures {
        if measure
            .session
            .as_ref()
            .is_some_and(|id| excluded.contains(id))
        {
            measure.session = None;
        }
    }
}

/// A history that holds nothing beyond its baseline (the map as found when it began,
/// every version at its start) is left out of an export: a v1 document exports as it
/// always did, and the importing vault starts its own history at the import. A change
/// saved within the same second as the start still counts: it is a second version of
/// a record, or a removal.
fn drop_unchanged_history(client: &mut Client) {
    if let Some(history) = &client.map_history
        && is_baseline_only(history)
    {
        client.map_history = None;
    }
}

fn is_baseline_only(history: &crate::records::MapHistory) -> bool {
    let mut seen = HashSet::new();
    history.versions.iter().all(|v| {
        v.at.instant() <= history.since.instant()
            && !matches!(v.record, crate::records::VersionedRecord::Removed(_))
            && seen.insert(v.record.key())
    })
}

/// A history that runs past the time of the import (a clock that was ahead, or a
/// document edited by hand) would put the changes made from now on before it.
fn refuse_future_history(document: &Document) -> Result<()> {
    let now = Timestamp::now().instant();
    for (i, client) in document.clients.iter().enumerate() {
        let Some(history) = &client.map_history else {
            continue;
        };
        let base = format!("/clients/{i}/map_history");
        if history.since.instant() > now {
            return Err(Error::rejected(
                format!("{base}/since"),
                "the history starts after the time of this import: check the clock of the computer that wrote the document",
            ));
        }
        if let Some(v) = history.versions.iter().position(|v| v.at.instant() > now) {
            return Err(Error::rejected(
                format!("{base}/versions/{v}/at"),
                "this version is later than the time of this import: check the clock of the computer that wrote the document",
            ));
        }
    }
    Ok(())
}

/// Builds an export document. Nothing is recorded: [`export_to_file`] writes
/// and records it; a caller that writes it elsewhere (standard output) calls
/// [`record_export`] once the whole document was written.
pub fn export(vault: &Vault, scope: &ExportScope) -> Result<Document> {
    // The thresholds are the practice's, not a client's: only the whole vault's
    // export carries them.
    let (thresholds, note_templates, retention) = match scope {
        ExportScope::Everything => (
            Some(vault.thresholds()?).filter(|t| !t.is_default()),
            Some(vault.note_templates()?).filter(|t| !t.is_default()),
            Some(vault.retention_periods()?).filter(|r| !r.is_default()),
        ),
        ExportScope::Client { .. } => (None, None, None),
    };
    let clients = match scope {
        ExportScope::Everything => {
            let mut clients = Vec::new();
            for id in vault.client_ids()? {
                clients.push(vault.client(&id)?);
            }
            clients.sort_by(|a, b| {
                a.profile
                    .created_at
                    .cmp(&b.profile.created_at)
                    .then_with(|| a.id().cmp(b.id()))
            });
            clients
        }
        ExportScope::Client {
            id,
            include_psychotherapy_notes,
        } => {
            let mut client = vault.client(id)?;
            if !include_psychotherapy_notes {
                leave_out_psychotherapy_notes(&mut client);
            }
            vec![client]
        }
    };
    let mut clients = clients;
    for client in &mut clients {
        drop_unchanged_history(client);
    }
    Ok(Document {
        format: FORMAT_NAME.to_owned(),
        version: FORMAT_VERSION,
        exported_at: Timestamp::now(),
        clinician: vault.clinician()?,
        clients,
        thresholds,
        note_templates,
        retention,
        attachments_archive: None,
        attachments: Vec::new(),
    })
}

/// Enters in the audit trail that `document`, an export of `scope`, left the vault.
/// Call it only once the whole document was written.
pub fn record_export(vault: &Vault, scope: &ExportScope, document: &Document) -> Result<()> {
    let event = crate::vault::AuditEvent::new(crate::vault::AuditAction::Exported);
    vault.record_disclosure(match scope {
        ExportScope::Everything => event.detail(format!(
            "whole vault, {} clients{}",
            document.clients.len(),
            archive::attachments_in_words(document)
        )),
        ExportScope::Client {
            id,
            include_psychotherapy_notes,
        } => event
            .client(id)
            .record(crate::vault::Table::Clients, id)
            .detail(format!(
                "{}{}",
                if *include_psychotherapy_notes {
                    "psychotherapy notes included"
                } else {
                    "psychotherapy notes left out"
                },
                archive::attachments_in_words(document)
            )),
    })
}

/// Exports `scope` as canonical JSON to the file at `path` (0600, never
/// half-written, never over a vault, over another file only with
/// [`Overwrite::Confirmed`](crate::vault::Overwrite::Confirmed), never into a missing
/// folder), entered in the audit trail once it is whole on disk, just before it is
/// put in place. The whole vault's export carries its attachments (in an archive
/// beside the document, see [`export_to_files`]); a records request does not.
/// Returns the number of bytes of the document.
pub fn export_to_file(
    vault: &Vault,
    scope: &ExportScope,
    path: &std::path::Path,
    overwrite: crate::vault::Overwrite,
) -> Result<u64> {
    let include_attachments = matches!(scope, ExportScope::Everything);
    export_to_files(vault, scope, path, overwrite, include_attachments)
}

/// [`export_to_file`], with the attachments of what is exported when
/// `include_attachments` (a records request asks): the document names each by id
/// and SHA-256, and their files are streamed into a tar archive beside it
/// (`<name>.attachments.tar`, written by the same rules), one chunk at a time.
pub fn export_to_files(
    vault: &Vault,
    scope: &ExportScope,
    path: &std::path::Path,
    overwrite: crate::vault::Overwrite,
    include_attachments: bool,
) -> Result<u64> {
    use crate::vault::{Output, OutputFile};
    let output = OutputFile::begin(
        path,
        overwrite,
        Output::Plaintext {
            vault: vault.path(),
        },
    )?;
    let mut document = export(vault, scope)?;
    let attachments = if include_attachments {
        archive::attachments_of(vault, &document)?
    } else {
        Vec::new()
    };
    let archive_output = if attachments.is_empty() {
        None
    } else {
        let (name, archive_path) = archive::archive_beside(path)?;
        let archive_output = OutputFile::begin(
            &archive_path,
            overwrite,
            Output::Plaintext {
                vault: vault.path(),
            },
        )?;
        archive::write_archive(vault, &attachments, &archive_output)?;
        document.attachments_archive = Some(name);
        document.attachments = attachments;
        Some(archive_output)
    };
    let text = zeroize::Zeroizing::new(document.to_canonical_json()?);
    output.write(text.as_bytes())?;
    record_export(vault, scope, &document)?;
    // The archive first: a document in place never names a missing archive.
    if let Some(archive_output) = archive_output {
        archive_output.finish()?;
    }
    output.finish()?;
    Ok(text.len() as u64)
}

/// Every id the vault holds, intentions included, and those its clients' histories
/// name (records removed since).
fn ids_in_vault(vault: &Vault) -> Result<HashSet<Id>> {
    let mut ids = HashSet::new();
    for id in vault.client_ids()? {
        let client = vault.client(&id)?;
        ids.extend(
            rules::defined_ids(&client, "")
                .into_iter()
                .chain(rules::history_ids(&client, ""))
                .map(|(id, _)| id),
        );
    }
    Ok(ids)
}

/// Imports a whole document, all or nothing: every check runs first, and a
/// rejected document writes nothing. A document with attachments is imported from
/// its file ([`import_file`]), which finds the archive beside it.
pub fn import(vault: &mut Vault, json: &str) -> Result<ImportSummary> {
    let document = parse_document(json)?;
    if !document.attachments.is_empty() {
        return Err(Error::rejected(
            "/attachments",
            "this document's attachments are in an archive beside it: import the document from its file, with the archive in the same folder",
        ));
    }
    import_document(vault, document, None)
}

/// Imports the document in the file at `path`, with its attachments from the archive
/// it names in the same folder: all or nothing (a file missing from the archive, or
/// altered, is refused with its path there).
pub fn import_file(vault: &mut Vault, path: &std::path::Path) -> Result<ImportSummary> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Error::rejected(
            "",
            format!("{} could not be read as text ({e})", path.display()),
        )
    })?);
    let document = parse_document(&text)?;
    match &document.attachments_archive {
        Some(name) if !document.attachments.is_empty() => {
            let mut contents = archive::open_beside(path, name)?;
            let name = name.clone();
            import_document(vault, document, Some((&name, &mut contents)))
        }
        _ => import_document(vault, document, None),
    }
}

fn import_document(
    vault: &mut Vault,
    document: Document,
    archive: Option<(&str, &mut dyn crate::vault::ArchivedContents)>,
) -> Result<ImportSummary> {
    if !vault.is_writable() {
        return Err(Refusal::ReadOnly.into());
    }
    refuse_future_history(&document)?;
    let mut existing = ids_in_vault(vault)?;
    existing.extend(vault.attachments(None)?.into_iter().map(|a| a.id));
    for (i, attachment) in document.attachments.iter().enumerate() {
        if existing.contains(&attachment.id) {
            return Err(Error::rejected(
                format!("/attachments/{i}/id"),
                format!("the id {} is already in this vault", attachment.id),
            ));
        }
    }
    // A client disposed of once their retention ended stays disposed of: an older export
    // does not bring them back behind the clinician's decision.
    let disposed: std::collections::HashSet<String> = vault
        .audit_trail()?
        .entries
        .into_iter()
        .filter(|entry| entry.action == crate::vault::AuditAction::Disposed)
        .filter_map(|entry| entry.client_id)
        .collect();
    for (i, client) in document.clients.iter().enumerate() {
        if disposed.contains(client.id()) {
            return Err(Error::rejected(
                format!("/clients/{i}/id"),
                "this client's records were disposed of once their retention ended, so they are not brought back",
            ));
        }
    }
    for (i, client) in document.clients.iter().enumerate() {
        for (id, path) in rules::defined_ids(client, &format!("/clients/{i}")) {
            if existing.contains(&id) {
                return Err(Error::rejected(
                    path,
                    format!("the id {id} is already in this vault"),
                ));
            }
        }
        let mut findings = Findings::default();
        rules::check_history_owner(
            client,
            &format!("/clients/{i}"),
            |id| existing.contains(id),
            "a client already in this vault",
            &mut findings,
        );
        first_rejection(findings)?;
    }
    let settings = crate::vault::PracticeSettings {
        clinician: document.clinician.as_ref(),
        thresholds: document.thresholds.as_ref(),
        note_templates: document.note_templates.as_ref(),
        retention: document.retention.as_ref(),
    };
    vault.insert_clients(
        &document.clients,
        &settings,
        crate::vault::AuditAction::Imported,
        archive.map(|(name, contents)| (document.attachments.as_slice(), name, contents)),
    )?;
    Ok(ImportSummary {
        clients: document.clients.len(),
        sessions: document.clients.iter().map(|c| c.sessions.len()).sum(),
    })
}
