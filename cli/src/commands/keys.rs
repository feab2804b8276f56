//! `recovery-key` (a new recovery key; the old one stops working) and `rotate-key`
//! (re-encrypt every record under a new data key, after a suspected compromise).

use super::Outcome;
use super::passphrase::Input;
use kapnotes::crypto::RecoveryKey;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub(super) fn show(recovery: &RecoveryKey) {
    eprintln!(
        "Below is the new recovery key. It is shown only this once: write it down and keep it"
    );
    eprintln!(
        "somewhere safe, away from this computer. The previous recovery key no longer works."
    );
    eprintln!();
    println!("{}", recovery.dangerously_reveal().as_str());
}

pub fn new_recovery_key(vault_path: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let recovery = vault.regenerate_recovery_key()?;
    show(&recovery);
    Ok(ExitCode::SUCCESS)
}

pub fn rotate(vault_path: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let recovery = vault.rotate_data_key(&passphrase)?;
    eprintln!("Every record is now encrypted under a new data key. Your passphrase is unchanged.");
    eprintln!(
        "Backups made before now still open with the passphrase of their day: destroy the ones you do not need."
    );
    show(&recovery);
    Ok(ExitCode::SUCCESS)
}
