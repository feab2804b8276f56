use super::passphrase::Input;
use super::{Failure, Outcome, exit};
use chrono::{DateTime, FixedOffset, NaiveDate};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::rules::{Severity, check_client};
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
    for id in ids {
        let client = vault.client(&id)?;
        for finding in check_client(&client, now, &settings) {
            // Names and messages quote stored text: escaped, so it cannot drive the terminal.
            let line = format!(
                "{:<4}  {}  {}  {}: {}",
                finding.severity.label(),
                client.profile.display_name,
                finding.record_id,
                finding.code,
                finding.message
            );
            println!("{}", escape_for_terminal(&line));
            count[finding.severity as usize] += 1;
            worst = worst.max(Some(finding.severity));
        }
    }
    eprintln!(
        "{} stop, {} warning(s), {} note(s).",
        count[2], count[1], count[0]
    );
    Ok(match worst {
        None => ExitCode::SUCCESS,
        Some(Severity::Stop) => ExitCode::from(exit::STOP_FINDINGS),
        Some(_) => ExitCode::from(exit::WARNING_FINDINGS),
    })
}
