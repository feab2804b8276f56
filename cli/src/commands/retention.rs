//! `kapnotes retention`: every client's retention date, those past it marked; and
//! `kapnotes dispose CLIENT`: the deliberate disposal of one whose retention has ended.

use super::passphrase::Input;
use super::{Failure, Outcome, opened_for_writing};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::vault::default_backup_folder;
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

pub fn list(vault_path: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    let periods = vault.retention_periods()?;
    eprintln!(
        "Kept {} years after the last session; for a client who was a minor, until {} years after they turned {} when that is later.",
        periods.years_after_last_session, periods.years_after_majority, periods.age_of_majority
    );
    let past: Vec<String> = vault
        .past_retention()?
        .into_iter()
        .map(|r| r.client_id)
        .collect();
    for r in vault.retention_list()? {
        let line = format!(
            "{}  {}  {}  kept until {}{}{}",
            if past.contains(&r.client_id) {
                "PAST"
            } else {
                "    "
            },
            r.client_id,
            r.display_name,
            r.retain_until,
            if r.minor_rule { " (minor rule)" } else { "" },
            format_args!(", last session {}", r.last_contact),
        );
        println!("{}", escape_for_terminal(&line));
    }
    eprintln!("{} client(s) past their retention date.", past.len());
    Ok(ExitCode::SUCCESS)
}

pub fn dispose(vault_path: &Path, client_id: &str, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault = opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let folder = default_backup_folder();
    let preview = vault.disposal_preview(client_id, folder.as_deref())?;
    let name = escape_for_terminal(&preview.retention.display_name).into_owned();
    if !preview.past_retention {
        return Err(Failure::other(format!(
            "The records of {name} must be kept until {}; nothing was deleted.",
            preview.retention.retain_until
        )));
    }
    let records: Vec<String> = preview
        .records
        .iter()
        .map(|c| format!("{} {}", c.count, c.kind))
        .collect();
    eprintln!(
        "Disposing of {name} (kept until {}) deletes from the vault, for good, signed notes included: {}.",
        preview.retention.retain_until,
        records.join(", ")
    );
    if preview.backups.is_empty() {
        eprintln!("No automatic backup in the backup folder holds this client.");
    } else {
        eprintln!(
            "These automatic backups were taken since the client came into the vault and still hold their records (sealed) until the rotation removes them:"
        );
        for backup in &preview.backups {
            eprintln!("  {}  {}", backup.taken_at, backup.file_name);
        }
    }
    eprintln!(
        "Other copies may exist: backups made from the command line or elsewhere, and exports."
    );
    let again = input.secret("Passphrase again, to dispose")?;
    let typed = input.line(&format!("Type the client's name ({name}) to confirm"))?;
    if typed.trim() != preview.retention.display_name.trim() {
        return Err(Failure::usage(
            "The name typed is not the client's; nothing was deleted.",
        ));
    }
    vault.dispose_client(client_id, &again)?;
    eprintln!(
        "Disposed of {name}. The audit trail keeps a tombstone: when, and how many records of each kind."
    );
    Ok(ExitCode::SUCCESS)
}
