use super::passphrase::Input;
use super::{Outcome, exit};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    let report = vault.verify()?;
    if report.is_clean() {
        println!(
            "Checked {} records: the vault is intact.",
            report.records_checked
        );
        // Noted down off the machine, these catch a whole older copy put back later.
        println!(
            "Audit trail: {} entries, write generation {}.",
            report.trail_length, report.write_generation
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        // A problem can name what an intruder wrote into the file (a row id): escaped.
        println!("PROBLEM: {}", escape_for_terminal(&problem.message));
    }
    eprintln!(
        "kapnotes: {} problem(s) found in {} records. Restore the vault from a backup that verifies.",
        report.problems.len(),
        report.records_checked
    );
    Ok(ExitCode::from(exit::INTEGRITY))
}
