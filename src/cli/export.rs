use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::{Access, ExportScope, Vault};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

pub fn run(
    vault_path: &Path,
    client: Option<String>,
    include_psychotherapy_notes: bool,
    output: Option<&Path>,
    input: &mut Input,
) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    let scope = match client {
        Some(id) => ExportScope::Client {
            id,
            include_psychotherapy_notes,
        },
        None => ExportScope::Everything,
    };
    let document = vault.export(&scope)?;
    let text = Zeroizing::new(document.to_canonical_json()?);
    match output {
        Some(path) => {
            kapnotes::vault::write_private_file(path, text.as_bytes())?;
            eprintln!(
                "Exported to {}. This file is NOT encrypted: keep it safe and delete it when it is no longer needed.",
                path.display()
            );
        }
        None => {
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| Failure::other(format!("The export could not be written ({e}).")))?;
            eprintln!("The export written to standard output is NOT encrypted.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
