use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::vault::Overwrite;
use kapnotes::{Access, ExportScope, Vault};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

pub fn run(
    vault_path: &Path,
    client: Option<String>,
    include_psychotherapy_notes: bool,
    include_attachments: bool,
    output: Option<(&Path, Overwrite)>,
    input: &mut Input,
) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    super::warn_if_trail_damaged(&vault);
    let scope = match client {
        Some(id) => ExportScope::Client {
            id,
            include_psychotherapy_notes,
        },
        None => ExportScope::Everything,
    };
    let with_attachments = include_attachments || scope == ExportScope::Everything;
    match output {
        Some((path, overwrite)) => {
            kapnotes::interchange::export_to_files(
                &vault,
                &scope,
                path,
                overwrite,
                with_attachments,
            )?;
            let archive = path.with_file_name(format!(
                "{}.attachments.tar",
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("export")
            ));
            if with_attachments && archive.is_file() {
                eprintln!(
                    "Exported to {}, with the attached files in {} beside it. These files are NOT encrypted: keep them safe and delete them when they are no longer needed.",
                    path.display(),
                    archive.display()
                );
            } else {
                eprintln!(
                    "Exported to {}. This file is NOT encrypted: keep it safe and delete it when it is no longer needed.",
                    path.display()
                );
            }
        }
        None => {
            // The files go in an archive beside the document: standard output has no
            // "beside".
            let client = match &scope {
                ExportScope::Client { id, .. } => Some(id.as_str()),
                ExportScope::Everything => None,
            };
            if with_attachments && !vault.attachments(client)?.is_empty() {
                return Err(Failure::usage(
                    "The export carries attached files, which are written in an archive beside it: give the export's file with -o.",
                ));
            }
            let document = kapnotes::interchange::export(&vault, &scope)?;
            let text = Zeroizing::new(document.to_canonical_json()?);
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::other(format!("The export could not be written ({e}).")))?;
            // Entered in the trail only once the whole text was handed on.
            kapnotes::interchange::record_export(&vault, &scope, &document)?;
            eprintln!("The export written to standard output is NOT encrypted.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
