//! Argument parsing, exit codes and the pieces every subcommand shares.

mod attachments;
mod audit;
mod backup;
mod check;
mod export;
mod import;
mod init;
mod keys;
mod passphrase;
mod passwd;
mod pdf;
mod recover;
mod restore;
mod retention;
mod verify;

use clap::{Parser, Subcommand};
use kapnotes::vault::Overwrite;
use kapnotes::{Error, ErrorKind};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const WRONG_PASSPHRASE: u8 = 3;
    pub const REJECTED: u8 = 4;
    pub const INTEGRITY: u8 = 5;
    pub const WARNING_FINDINGS: u8 = 6;
    pub const STOP_FINDINGS: u8 = 7;
    pub const OUTPUT_REFUSED: u8 = 8;
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  anything else (a vault held open for writing by another process, a change
     refused as it stands, or a failure inside kapnotes)
  2  usage error
  3  wrong passphrase or recovery key
  4  input rejected (import, restore of an unusable file)
  5  integrity failure found (verify, audit, a read that hit a tampered record, a change
     refused because the audit trail is damaged, or a backup copy that failed its check)
  6  check: warnings or notes found, no stop
  7  check: at least one stop finding
  8  refused: nothing was written, because the output path would replace a file (a
     vault or backup always; any other file unless --force) or its folder is missing
  (3 and 5 come first: check reports them before any finding)

Passphrases are asked without echo on a terminal (a new one twice). When standard input
is not a terminal, they are read from it, one per line (only the line ending is
stripped): init: the new passphrase; passwd: the old, then the new; recover: the
recovery key, then the new passphrase; dispose: the passphrase, the passphrase again,
then the client's name.";

#[derive(Debug, Parser)]
#[command(
    name = "kapnotes",
    version,
    about = "Encrypted, offline clinical records for Ketamine-Assisted Psychotherapy (KAP) with IFS",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// The vault file [default: $KAPNOTES_VAULT, else <data dir>/kapnotes/vault.kapnotes]
    #[arg(long, global = true, value_name = "PATH", env = "KAPNOTES_VAULT")]
    vault: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new vault and print its recovery key once
    Init,
    /// Import an interchange document (all or nothing)
    Import {
        /// The JSON file to import
        file: PathBuf,
    },
    /// Export the whole vault, or one client for a records request, as JSON (not encrypted)
    Export {
        /// Export only this client (a records request)
        #[arg(long, value_name = "ID")]
        client: Option<String>,
        /// With --client: include sessions marked as psychotherapy notes
        #[arg(long, requires = "client")]
        include_psychotherapy_notes: bool,
        /// With --client: include the client's attached files, in an archive beside the export (needs -o; the whole vault's export always carries them)
        #[arg(long, requires = "client")]
        include_attachments: bool,
        /// Write to this file instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// With -o: replace an existing file (never a vault or backup)
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Check the whole vault: the file, the header and keys, every record, the audit trail
    Verify,
    /// Print the audit trail (every change, unlock, export, document and backup), oldest first
    Audit {
        /// Only the entries about this client
        #[arg(long, value_name = "ID")]
        client: Option<String>,
    },
    /// Apply the clinical safety rules and list the findings (exit 0 none, 6 warnings or notes, 7 a stop)
    Check {
        /// Only this client (default: every client not archived)
        #[arg(long, value_name = "ID")]
        client: Option<String>,
        /// Judge as of the end of this day (UTC), YYYY-MM-DD [default: now]
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Also list the acknowledged warnings and notes, with their reasons
        #[arg(long)]
        all: bool,
    },
    /// Acknowledge a warning or note with a reason: it leaves check's open list (and its exit code) until the record it is about changes
    Acknowledge {
        /// The client's id
        client: String,
        /// The finding's code, as check prints it
        code: String,
        /// The record the finding is about (check's record column)
        record: String,
        /// Why the finding is settled (stored sealed)
        #[arg(long)]
        reason: String,
        /// Judge as of the end of this day (UTC), YYYY-MM-DD [default: now]
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Re-open an acknowledged finding (its acknowledgement's id, as check --all prints it)
    Reopen {
        /// The client's id
        client: String,
        /// The acknowledgement's id
        acknowledgement: String,
    },
    /// Write a PDF (not encrypted): a session note, a dosing-day sheet, or a client's full record
    #[command(group(clap::ArgGroup::new("document").required(true).args(["session", "prep_sheet", "client"])))]
    Pdf {
        /// The note of this session (any kind), with its addenda and signature
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// The dosing-day sheet: a page with intentions, protectors, range, safety plan, findings; a blank monitoring table
        #[arg(long, value_name = "SESSION_ID")]
        prep_sheet: Option<String>,
        /// This client's full record, for a records request
        #[arg(long, value_name = "ID")]
        client: Option<String>,
        /// With --client: include sessions marked as psychotherapy notes
        #[arg(long, requires = "client")]
        include_psychotherapy_notes: bool,
        /// With --client: add "the system then and now", the parts map of this day (YYYY-MM-DD) beside today's
        #[arg(long, value_name = "DATE", requires = "client")]
        map_then: Option<String>,
        /// The paper size
        #[arg(long, value_name = "SIZE", default_value = "a4", value_parser = ["a4", "letter"])]
        paper: String,
        /// Where to write the PDF
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file (never a vault or backup)
        #[arg(long)]
        force: bool,
    },
    /// Change the passphrase (records are not re-encrypted; older copies keep the old one)
    Passwd {
        /// Someone may know the passphrase: also re-encrypt everything under a new data
        /// key and make a new recovery key (protects copies made from now on)
        #[arg(long)]
        rotate: bool,
    },
    /// Set a new passphrase using the recovery key
    Recover,
    /// Make a new recovery key and print it once (the old one stops working)
    RecoveryKey,
    /// Re-encrypt every record under a new data key (after a suspected compromise); prints a new recovery key
    RotateKey,
    /// Write a consistent, encrypted copy of the vault (needs no passphrase)
    Backup {
        /// Where to write the backup
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file: an older backup of this vault, or a file that is no vault
        #[arg(long)]
        force: bool,
    },
    /// Restore a backup as a new vault at --vault (never overwrites a vault)
    Restore {
        /// The backup file
        file: PathBuf,
    },
    /// List every client's retention date (the clinician's periods), those past it marked PAST
    Retention,
    /// Dispose of a client whose retention has ended: deletes all their records, signed notes included (asks the passphrase again and the client's name)
    Dispose {
        /// The client's id (as `kapnotes retention` lists it)
        client: String,
    },
    /// Seal a PDF, JPEG or PNG file (up to 25 MB) in the vault with a client's record; prints its id
    Attach {
        /// The client's id
        client: String,
        /// The file to attach (left where it is, unencrypted)
        file: PathBuf,
        /// A session of that client the file belongs to
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// The title lists show [default: the file's name]
        #[arg(long, value_name = "T")]
        title: Option<String>,
        /// consent (sets when consent was signed), prescriber_letter, lab_or_ecg or other
        #[arg(long, value_name = "K", default_value = "other")]
        kind: String,
        /// The date on the document, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "D")]
        date: Option<String>,
    },
    /// List attached files, one line each, starting with its id
    Attachments {
        /// Only this client's
        #[arg(long, value_name = "ID")]
        client: Option<String>,
    },
    /// Remove an attached file from the vault (recorded in the audit trail)
    Detach {
        /// The attachment's id
        id: String,
    },
    /// Write an attached file out, NOT encrypted
    SaveAttachment {
        /// The attachment's id
        id: String,
        /// Where to write it
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file (never a vault or backup)
        #[arg(long)]
        force: bool,
    },
}

/// A failed command: what to print and which exit code to return.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub exit_code: u8,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let exit_code = match error.kind() {
            ErrorKind::WrongPassphrase => exit::WRONG_PASSPHRASE,
            ErrorKind::Rejected => exit::REJECTED,
            ErrorKind::Integrity => exit::INTEGRITY,
            ErrorKind::OutputRefused => exit::OUTPUT_REFUSED,
            ErrorKind::Busy
            | ErrorKind::NotFound
            | ErrorKind::Refused
            | ErrorKind::Internal
            | ErrorKind::Other => exit::OTHER,
        };
        // The core's sentences serve the app too, so they name no command; the command
        // line adds the one that helps.
        let hint = match &error {
            Error::VaultNotFound(_) => " (`kapnotes init` creates one; --vault names another.)",
            Error::TamperedRecord { .. } => " (`kapnotes verify` lists every damaged record.)",
            _ => "",
        };
        Failure {
            message: format!("{error}{hint}"),
            exit_code,
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exit_code: exit::USAGE,
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exit_code: exit::OTHER,
        }
    }
}

pub type Outcome = Result<ExitCode, Failure>;

/// Passes through a vault just unlocked for writing, first telling the clinician about
/// wrong passphrases tried since the last such unlock (they are in the audit trail too).
pub fn opened_for_writing(vault: kapnotes::Vault) -> kapnotes::Vault {
    if let Some(failed) = vault.failed_unlocks_before_this_unlock() {
        eprintln!(
            "kapnotes: before this unlock, the vault was tried with a wrong passphrase or recovery key ({failed}). If that was not you, change the passphrase."
        );
    }
    warn_if_trail_damaged(&vault);
    vault
}

/// Says, before anything leaves the vault or is changed, that the audit trail is
/// damaged: changes are refused, and exports and documents cannot be recorded.
pub fn warn_if_trail_damaged(vault: &kapnotes::Vault) {
    if let Some(first) = vault.trail_problems().first() {
        eprintln!(
            "kapnotes: the vault's audit trail is damaged ({}), so changes are refused, and exports and documents still go out but cannot be recorded in it. Run `kapnotes verify`, and restore a backup that verifies.",
            kapnotes::interchange::text::escape_for_terminal(first.trim_end_matches('.'))
        );
    }
}

/// `--force`: the clinician confirmed that an existing file may be replaced.
fn overwrite(force: bool) -> Overwrite {
    if force {
        Overwrite::Confirmed
    } else {
        Overwrite::Refuse
    }
}

fn vault_path(given: Option<PathBuf>) -> Result<PathBuf, Failure> {
    given
        .or_else(kapnotes::vault::default_vault_path)
        .ok_or_else(|| {
            Failure::usage(
                "No data folder is known on this system; give the vault's path with --vault.",
            )
        })
}

pub fn run(cli: Cli) -> Outcome {
    let vault = vault_path(cli.vault)?;
    let mut input = passphrase::Input::from_environment();
    match cli.command {
        Command::Init => init::run(&vault, &mut input),
        Command::Import { file } => import::run(&vault, &file, &mut input),
        Command::Export {
            client,
            include_psychotherapy_notes,
            include_attachments,
            output,
            force,
        } => export::run(
            &vault,
            client,
            include_psychotherapy_notes,
            include_attachments,
            output.as_deref().map(|path| (path, overwrite(force))),
            &mut input,
        ),
        Command::Verify => verify::run(&vault, &mut input),
        Command::Audit { client } => audit::run(&vault, client.as_deref(), &mut input),
        Command::Check { client, as_of, all } => {
            check::run(&vault, client.as_deref(), as_of.as_deref(), all, &mut input)
        }
        Command::Acknowledge {
            client,
            code,
            record,
            reason,
            as_of,
        } => check::acknowledge(
            &vault,
            &client,
            &code,
            &record,
            &reason,
            as_of.as_deref(),
            &mut input,
        ),
        Command::Reopen {
            client,
            acknowledgement,
        } => check::reopen(&vault, &client, &acknowledgement, &mut input),
        Command::Pdf {
            session,
            prep_sheet,
            client,
            include_psychotherapy_notes,
            map_then,
            paper,
            output,
            force,
        } => pdf::run(
            &vault,
            pdf::Choice {
                session,
                prep_sheet,
                client,
                include_psychotherapy_notes,
                map_then,
                paper: if paper == "letter" {
                    kapnotes::documents::Paper::Letter
                } else {
                    kapnotes::documents::Paper::A4
                },
            },
            &output,
            overwrite(force),
            &mut input,
        ),
        Command::Passwd { rotate } => passwd::run(&vault, rotate, &mut input),
        Command::Recover => recover::run(&vault, &mut input),
        Command::RecoveryKey => keys::new_recovery_key(&vault, &mut input),
        Command::RotateKey => keys::rotate(&vault, &mut input),
        Command::Backup { output, force } => backup::run(&vault, &output, overwrite(force)),
        Command::Restore { file } => restore::run(&file, &vault, &mut input),
        Command::Retention => retention::list(&vault, &mut input),
        Command::Dispose { client } => retention::dispose(&vault, &client, &mut input),
        Command::Attach {
            client,
            file,
            session,
            title,
            kind,
            date,
        } => attachments::attach(
            &vault,
            &client,
            &file,
            attachments::AttachChoice {
                session,
                title,
                kind,
                date,
            },
            &mut input,
        ),
        Command::Attachments { client } => attachments::list(&vault, client.as_deref(), &mut input),
        Command::Detach { id } => attachments::detach(&vault, &id, &mut input),
        Command::SaveAttachment { id, output, force } => {
            attachments::save(&vault, &id, &output, overwrite(force), &mut input)
        }
    }
}
