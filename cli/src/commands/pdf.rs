use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::documents::{DocumentRequest, NOT_ENCRYPTED, Paper};
use kapnotes::records::Date;
use kapnotes::vault::Overwrite;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

/// Which document the flags ask for (clap ensures exactly one of the three).
pub struct Choice {
    pub session: Option<String>,
    pub prep_sheet: Option<String>,
    pub client: Option<String>,
    pub include_psychotherapy_notes: bool,
    pub map_then: Option<String>,
    pub paper: Paper,
}

pub fn run(
    vault_path: &Path,
    choice: Choice,
    output: &Path,
    overwrite: Overwrite,
    input: &mut Input,
) -> Outcome {
    let paper = choice.paper;
    let request = match choice {
        Choice {
            session: Some(session_id),
            ..
        } => DocumentRequest::SessionNote { session_id },
        Choice {
            prep_sheet: Some(session_id),
            ..
        } => DocumentRequest::PrepSheet { session_id },
        Choice {
            client: Some(client_id),
            include_psychotherapy_notes,
            map_then,
            ..
        } => DocumentRequest::ClientRecord {
            client_id,
            include_psychotherapy_notes,
            map_then: match map_then {
                None => None,
                Some(text) => Some(Date::parse(&text).map_err(|_| {
                    Failure::usage(format!(
                        "--map-then takes a date such as 2026-05-10, not \"{text}\"."
                    ))
                })?),
            },
        },
        _ => {
            return Err(Failure::usage(
                "Say which document: --session ID, --prep-sheet SESSION_ID or --client ID.",
            ));
        }
    };
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    super::warn_if_trail_damaged(&vault);
    let written = kapnotes::documents::write_document(&vault, &request, paper, output, overwrite)?;
    eprintln!(
        "Wrote {} ({} page(s)). {NOT_ENCRYPTED}",
        output.display(),
        written.pages
    );
    Ok(ExitCode::SUCCESS)
}
