use super::Outcome;
use super::passphrase::Input;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, input: &mut Input) -> Outcome {
    let old = input.secret("Current passphrase")?;
    let mut vault = super::opened_for_writing(Vault::unlock(vault_path, &old, Access::ReadWrite)?);
    let new = input.new_secret("New passphrase")?;
    vault.change_passphrase(&new)?;
    eprintln!(
        "The passphrase was changed. Backups made before now still open with the old passphrase."
    );
    Ok(ExitCode::SUCCESS)
}
