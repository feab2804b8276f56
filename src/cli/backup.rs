use super::Outcome;
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, output: &Path) -> Outcome {
    let summary = kapnotes::vault::backup_file(vault_path, output)?;
    eprintln!(
        "Backup written to {} ({} bytes). It is encrypted: it opens with the passphrase valid today.",
        summary.path.display(),
        summary.bytes
    );
    Ok(ExitCode::SUCCESS)
}
