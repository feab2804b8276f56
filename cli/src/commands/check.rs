use super::passphrase::Input;
use super::{Failure, Outcome, exit};
use chrono::{DateTime, FixedOffset, NaiveDate};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::rules::{Severity, check_client, group_findings, split_acknowledged};
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

/// "Now" for the rules: the end of `--as-of DATE` (in UTC), or the present moment.
fn as_of(date: Option<&str>) -> Result<DateTime<FixedOffset>, Failure> {
    match date {
        None => Ok(chrono::Local::now().fixed_offset()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .map(|t| t.and_utc().fixed_offset())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--as-of takes a date such as 2026-05-10, not \"{text}\"."
                ))
            }),
    }
}

pub fn run(
    vault_path: &Path,
    client: Option<&str>,
    date: Option<&str>,
    all: bool,
    input: &mut Input,
) -> Outcome {
    let now = as_of(date)?;
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    let ids = match client {
        Some(id) => vec![id.to_owned()],
        None => vault
            .list_clients()?
            .into_iter()
            .filter(|c| !c.archived)
            .map(|c| c.id)
            .collect(),
    };
    // The vault's own thresholds: the app judges by the same.
    let settings = vault.rule_settings()?;
    let mut worst: Option<Severity> = None;
    let mut count = [0usize; 3];
    let mut acknowledged_lines = Vec::new();
    for id in ids {
        let client = vault.client(&id)?;
        // Acknowledged warnings and notes are apart, and do not count towards the exit code.
        let (findings, acknowledged) =
            split_acknowledged(&client, check_client(&client, now, &settings));
        for a in &acknowledged {
            let ack = &a.acknowledgement;
            acknowledged_lines.push(format!(
                "{:<4}  {}  {}  {}: {}  (acknowledged {}{}, id {}: {})",
                a.finding.severity.label(),
                client.profile.display_name,
                a.finding.record_id,
                a.finding.code,
                a.finding.message,
                ack.acknowledged_at,
                ack.acknowledged_by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default(),
                ack.id,
                ack.reason
            ));
        }
        for finding in &findings {
            count[finding.severity as usize] += 1;
            worst = worst.max(Some(finding.severity));
        }
        // One line per finding, or per finding on several records (their ids listed,
        // comma-separated, in the record column).
        for group in group_findings(&findings) {
            // Names and messages quote stored text: escaped, so it cannot drive the terminal.
            let line = format!(
                "{:<4}  {}  {}  {}: {}",
                group.severity.label(),
                client.profile.display_name,
                group.record_ids.join(","),
                group.code,
                group.headline
            );
            println!("{}", escape_for_terminal(&line));
        }
    }
    if all && !acknowledged_lines.is_empty() {
        println!("Acknowledged:");
        for line in &acknowledged_lines {
            println!("{}", escape_for_terminal(line));
        }
    }
    eprintln!(
        "{} stop, {} warning(s), {} note(s){}.",
        count[2],
        count[1],
        count[0],
        match (acknowledged_lines.len(), all) {
            (0, _) => String::new(),
            (n, true) => format!("; {n} acknowledged"),
            (n, false) => format!("; {n} acknowledged (listed with --all)"),
        }
    );
    Ok(match worst {
        None => ExitCode::SUCCESS,
        Some(Severity::Stop) => ExitCode::from(exit::STOP_FINDINGS),
        Some(_) => ExitCode::from(exit::WARNING_FINDINGS),
    })
}

/// Acknowledges an open warning or note with a reason.
pub fn acknowledge(
    vault_path: &Path,
    client: &str,
    code: &str,
    record: &str,
    reason: &str,
    date: Option<&str>,
    input: &mut Input,
) -> Outcome {
    let now = as_of(date)?;
    let passphrase = input.secret("Passphrase")?;
    let mut vault = Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?;
    let ack = vault.acknowledge_finding(client, code, record, reason, now)?;
    println!("{}", ack.id);
    eprintln!("Acknowledged: {code} about {record}. It re-opens if that record changes.");
    Ok(ExitCode::SUCCESS)
}

/// Re-opens an acknowledged finding.
pub fn reopen(
    vault_path: &Path,
    client: &str,
    acknowledgement: &str,
    input: &mut Input,
) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault = Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?;
    vault.reopen_finding(client, acknowledgement)?;
    eprintln!("Re-opened: the finding is listed again while the rules raise it.");
    Ok(ExitCode::SUCCESS)
}
