use super::Outcome;
use super::passphrase::Input;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, file: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    // From the file, so the attachments' archive beside it is found.
    let summary = kapnotes::interchange::import_file(&mut vault, file)?;
    eprintln!(
        "Imported {} client(s) with {} session(s).",
        summary.clients, summary.sessions
    );
    Ok(ExitCode::SUCCESS)
}
