use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

pub fn run(vault_path: &Path, file: &Path, input: &mut Input) -> Outcome {
    let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
        Failure::from(kapnotes::Error::Rejected(kapnotes::Rejection {
            path: String::new(),
            rule: format!("{} could not be read as text ({e})", file.display()),
        }))
    })?);
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let summary = kapnotes::interchange::import(&mut vault, &text)?;
    eprintln!(
        "Imported {} client(s) with {} session(s).",
        summary.clients, summary.sessions
    );
    Ok(ExitCode::SUCCESS)
}
