use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::{Access, ExportScope, Vault};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Writes plaintext to `path` with 0600 permissions, through a temporary file renamed
/// into place, so a reader never sees half a document.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::other(format!("{} could not be written ({e}).", path.display()))
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

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
            write_private(path, text.as_bytes())?;
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
