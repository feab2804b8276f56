//! Whether records are valid, as pure functions of the records themselves (no vault):
//! the interchange JSON Schema, the rules it cannot express (`rules`), and the
//! characters text may hold ([`text`]). Imports check whole documents with them, and
//! the vault checks every change with them before writing it.

pub(crate) mod rules;
pub mod text;

use crate::error::{Error, Internal, Rejection, Result};
use crate::records::{Client, Clinician, NoteTemplates};
use rules::Findings;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The schema every import and every change is checked against.
pub const SCHEMA_JSON: &str = include_str!("../../docs/kapnotes-interchange-v1.schema.json");

pub const FORMAT_NAME: &str = "kapnotes.interchange";

pub const FORMAT_VERSION: u32 = 1;

fn validator() -> Result<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA_JSON).map_err(|e| e.to_string())?;
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|_| Error::Internal(Internal::SchemaDamaged))
}

/// The first schema violation in `value`, with its path. Error messages never quote the
/// offending value, which may be clinical text.
pub(crate) fn schema_rejection(value: &Value) -> Result<Option<Rejection>> {
    let validator = validator()?;
    let first = validator.iter_errors(value).next().map(|error| {
        let path = error.instance_path().as_str().to_owned();
        Rejection {
            rule: rule_in_words(error.kind(), &path).unwrap_or_else(|| error.masked().to_string()),
            path,
        }
    });
    Ok(first)
}

/// The schema's complaint as a clinician (or whoever wrote the document) reads it: what
/// the value should be, never the value itself, which may be clinical text. `None` for
/// the kinds the schema does not use (a new one keeps the validator's own words).
fn rule_in_words(kind: &jsonschema::error::ValidationErrorKind, path: &str) -> Option<String> {
    use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
    let quoted = |value: &Value| match value {
        Value::String(text) => format!("\"{text}\""),
        other => other.to_string(),
    };
    Some(match kind {
        Kind::Type { kind } => {
            let types: Vec<jsonschema::JsonType> = match kind {
                TypeKind::Single(single) => vec![*single],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            let mut words: Vec<&str> = types
                .iter()
                .filter(|t| **t != jsonschema::JsonType::Null)
                .map(|t| type_in_words(*t))
                .collect();
            if types.contains(&jsonschema::JsonType::Null) {
                words.push("null (nothing)");
            }
            format!("expected {}", words.join(" or "))
        }
        Kind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|all| all.iter().map(quoted).collect())
                .unwrap_or_default();
            format!("expected one of {}", options.join(", "))
        }
        // The one constant that follows from other values: the interchange's own rule.
        Kind::Constant { expected_value } if path.ends_with("/checkin/decision") => format!(
            "a check-in with a red response decides {}: the session is held off",
            quoted(expected_value)
        ),
        Kind::Constant { expected_value } => format!("expected {}", quoted(expected_value)),
        Kind::Required { property } => {
            format!("the required property {} is missing", quoted(property))
        }
        Kind::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected
                .iter()
                .map(|name| format!("\"{name}\""))
                .collect();
            format!(
                "{} {} not part of the format here",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" }
            )
        }
        Kind::Format { format } => match format.as_str() {
            "date" => "expected a date that exists, written as 2026-05-10".to_owned(),
            "date-time" => {
                "expected a date and time with its offset, written as 2026-05-10T14:05:00+02:00"
                    .to_owned()
            }
            other => format!("expected a value in the {other} format"),
        },
        Kind::Minimum { limit } => format!("expected at least {limit}"),
        Kind::ExclusiveMinimum { limit } => format!("expected more than {limit}"),
        Kind::Maximum { limit } => format!("expected at most {limit}"),
        Kind::ExclusiveMaximum { limit } => format!("expected less than {limit}"),
        Kind::MinLength { limit: 1 } => "expected some text, not an empty value".to_owned(),
        Kind::MinLength { limit } => format!("expected at least {limit} characters"),
        Kind::MaxLength { limit } => format!("expected at most {limit} characters"),
        Kind::MinItems { limit } => format!("expected at least {limit} item(s)"),
        Kind::MaxItems { limit } => format!("expected at most {limit} item(s)"),
        Kind::UniqueItems => "expected no item twice".to_owned(),
        Kind::MultipleOf { multiple_of } => format!("expected a multiple of {multiple_of}"),
        Kind::MinProperties { limit } => format!("expected at least {limit} propert(ies)"),
        Kind::MaxProperties { limit } => format!("expected at most {limit} propert(ies)"),
        // The schema's patterns, each named by what it writes.
        Kind::Pattern { pattern } => match pattern.as_str() {
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" => {
                "expected an id (a UUID in lower case, such as 5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e01)"
                    .to_owned()
            }
            "^[0-9]{2,3}/[0-9]{2,3}$" => {
                "expected a blood pressure written as systolic/diastolic, such as 120/80".to_owned()
            }
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => "expected a date written as 2026-05-10".to_owned(),
            "^[^/\\\\]+$" => "expected a file name alone, without a folder (no / or \\)".to_owned(),
            pattern if pattern.starts_with("^[0-9]{4}-[0-9]{2}-[0-9]{2}T") => {
                "expected a date and time with its offset, written as 2026-05-10T14:05:00+02:00"
                    .to_owned()
            }
            _ => "is not written in the form the format expects".to_owned(),
        },
        _ => return None,
    })
}

fn type_in_words(json_type: jsonschema::JsonType) -> &'static str {
    use jsonschema::JsonType;
    match json_type {
        JsonType::Null => "null (nothing)",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "a whole number",
        JsonType::Number => "a number",
        JsonType::String => "text",
        JsonType::Array => "a list",
        JsonType::Object => "an object",
    }
}

pub(crate) fn first_rejection(findings: Findings) -> Result<()> {
    match findings.rejections.into_iter().next() {
        Some(rejection) => Err(Error::Rejected(rejection)),
        None => Ok(()),
    }
}

/// Checks one client's whole record against the schema and the rules: what every change
/// made through the API must pass. Paths are relative to the client. The characters
/// text may hold are checked apart ([`text::check_changed_client`]), against the stored
/// record, so a value an older version stored stays editable and `verify` passes it.
pub fn validate_client(client: &Client) -> Result<()> {
    let wrapper = serde_json::json!({
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": "2000-01-01T00:00:00+00:00",
        "clients": [client],
    });
    let strip = |path: &str| path.strip_prefix("/clients/0").unwrap_or(path).to_owned();
    if let Some(rejection) = schema_rejection(&wrapper)? {
        return Err(Error::rejected(strip(&rejection.path), rejection.rule));
    }
    let mut findings = Findings::default();
    rules::check_unique_ids(&rules::defined_ids(client, ""), &mut findings);
    rules::check_client(client, "", &mut findings);
    first_rejection(findings)
}

/// Checks the clinician's details against the schema.
pub fn validate_clinician(clinician: &Clinician) -> Result<()> {
    let wrapper = serde_json::json!({
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": "2000-01-01T00:00:00+00:00",
        "clinician": clinician,
        "clients": [],
    });
    match schema_rejection(&wrapper)? {
        Some(rejection) => Err(Error::Rejected(rejection)),
        None => Ok(()),
    }
}

/// Checks the practice's note templates: the schema, then what it cannot say (unique
/// names, unique headings within a template, each default naming a template, one
/// default per session kind, no refused character). Paths are under `/note_templates`.
pub fn validate_note_templates(templates: &NoteTemplates) -> Result<()> {
    let wrapper = serde_json::json!({
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": "2000-01-01T00:00:00+00:00",
        "clients": [],
        "note_templates": templates,
    });
    if let Some(rejection) = schema_rejection(&wrapper)? {
        return Err(Error::Rejected(rejection));
    }
    let one_line = |path: String, value: &str| match text::first_forbidden(value, false) {
        Some(problem) => Err(Error::rejected(path, problem.rule())),
        None if value.trim().is_empty() => Err(Error::rejected(path, "it must not be blank")),
        None => Ok(()),
    };
    let mut names = HashSet::new();
    for (t, template) in templates.templates.iter().enumerate() {
        let base = format!("/note_templates/templates/{t}");
        one_line(format!("{base}/name"), &template.name)?;
        if !names.insert(template.name.trim().to_lowercase()) {
            return Err(Error::rejected(
                format!("{base}/name"),
                "another template has this name; give each template its own",
            ));
        }
        let mut headings = HashSet::new();
        for (i, section) in template.sections.iter().enumerate() {
            one_line(format!("{base}/sections/{i}/heading"), &section.heading)?;
            if let Some(problem) = text::first_forbidden(&section.prompt, false) {
                return Err(Error::rejected(
                    format!("{base}/sections/{i}/prompt"),
                    problem.rule(),
                ));
            }
            if !headings.insert(section.heading.trim().to_lowercase()) {
                return Err(Error::rejected(
                    format!("{base}/sections/{i}/heading"),
                    "another section of this template has this heading; give each section its own",
                ));
            }
        }
    }
    let mut kinds = HashSet::new();
    for (i, default) in templates.defaults.iter().enumerate() {
        let path = format!("/note_templates/defaults/{i}");
        if templates.named(&default.template).is_none() {
            return Err(Error::rejected(
                format!("{path}/template"),
                "no template has this name; choose one of the templates",
            ));
        }
        if !kinds.insert(default.kind) {
            return Err(Error::rejected(
                format!("{path}/kind"),
                "this kind of session already has a default template",
            ));
        }
    }
    Ok(())
}
