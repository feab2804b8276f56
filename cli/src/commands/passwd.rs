use super::Outcome;
use super::passphrase::Input;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

/// `passwd`: a new passphrase. With `--rotate` (someone may know the passphrase), also a
/// new data key and a new recovery key, all in one transaction.
pub fn run(vault_path: &Path, rotate: bool, input: &mut Input) -> Outcome {
    let old = input.secret("Current passphrase")?;
    let mut vault = super::opened_for_writing(Vault::unlock(vault_path, &old, Access::ReadWrite)?);
    let new = input.new_secret("New passphrase")?;
    if rotate {
        let recovery = vault.replace_every_secret(&old, &new)?;
        eprintln!(
            "The passphrase, the data key and the recovery key are all new, and every record was re-encrypted."
        );
        eprintln!(
            "This protects the vault and copies made from now on. Copies made before now (backups, old files) still open with the old passphrase and the old recovery key: destroy the ones you do not need."
        );
        super::keys::show(&recovery);
    } else {
        vault.change_passphrase(&new)?;
        eprintln!(
            "The passphrase was changed. Backups made before now still open with the old passphrase; if someone may know it, use `kapnotes passwd --rotate` instead."
        );
    }
    Ok(ExitCode::SUCCESS)
}
