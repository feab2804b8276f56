use super::Outcome;
use super::passphrase::Input;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, input: &mut Input) -> Outcome {
    let recovery_key = input.secret("Recovery key")?;
    let mut vault = super::opened_for_writing(Vault::unlock_with_recovery_key(
        vault_path,
        &recovery_key,
        Access::ReadWrite,
    )?);
    let new = input.new_secret("New passphrase")?;
    vault.change_passphrase(&new)?;
    eprintln!("A new passphrase is set. The recovery key stays the same; keep it safe.");
    Ok(ExitCode::SUCCESS)
}
