use super::Outcome;
use super::passphrase::Input;
use std::path::Path;
use std::process::ExitCode;

pub fn run(backup: &Path, target: &Path, input: &mut Input) -> Outcome {
    if target.exists() {
        return Err(kapnotes::Error::AlreadyExists(target.to_owned()).into());
    }
    let passphrase = input.secret("Passphrase that was valid when the backup was taken")?;
    kapnotes::vault::restore_backup(backup, target, &passphrase)?;
    eprintln!(
        "Restored the backup as a new vault at {}. Every record was checked.",
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}
