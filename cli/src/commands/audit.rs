use super::passphrase::Input;
use super::{Outcome, exit};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

/// Prints the audit trail (whole vault or one client), oldest first, then whether its
/// chain is whole. Exits 5 when it is not.
pub fn run(vault_path: &Path, client: Option<&str>, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    let trail = match client {
        Some(id) => {
            vault.client_profile(id)?;
            vault.client_audit_trail(id)?
        }
        None => vault.audit_trail()?,
    };
    for entry in &trail.entries {
        let record = match (&entry.record_kind, &entry.record_id) {
            (Some(kind), Some(id)) => format!(" {kind} {id}"),
            _ => String::new(),
        };
        let times = if entry.count > 1 {
            format!(" ({} saves, until {})", entry.count, entry.last_at)
        } else {
            String::new()
        };
        let detail = entry
            .detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let hash = entry
            .content_sha256
            .as_deref()
            .map(|h| format!(" [sha256 {}]", &h[..h.len().min(16)]))
            .unwrap_or_default();
        // Details quote stored text (a backup's file name, for one): escaped, so it
        // cannot drive the terminal.
        let line = format!(
            "{:>6}  {}  {}{record}{times}{detail}{hash}",
            entry.position,
            entry.at,
            entry.action.label()
        );
        println!("{}", escape_for_terminal(&line));
    }
    if trail.problems.is_empty() {
        eprintln!(
            "{} entries; the audit trail's chain is whole.",
            trail.entries.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &trail.problems {
        println!("PROBLEM: {}", escape_for_terminal(problem));
    }
    eprintln!(
        "kapnotes: the audit trail was tampered with ({} problem(s)). Restore the vault from a backup that verifies.",
        trail.problems.len()
    );
    Ok(ExitCode::from(exit::INTEGRITY))
}
