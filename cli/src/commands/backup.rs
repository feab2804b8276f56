use super::Outcome;
use kapnotes::vault::Overwrite;
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, output: &Path, overwrite: Overwrite) -> Outcome {
    let summary = kapnotes::vault::write_backup(vault_path, output, overwrite)?;
    eprintln!(
        "Backup written to {} ({} bytes). It is encrypted: it opens with the passphrase valid today.",
        summary.path.display(),
        summary.bytes
    );
    Ok(ExitCode::SUCCESS)
}
