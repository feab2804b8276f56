//! The `kapnotes` command line: scripted use of the vault (backups from cron, records
//! requests, verification). One file per subcommand under `cli/src/commands/`.

#![forbid(unsafe_code)]

mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = commands::Cli::parse();
    match commands::run(args) {
        Ok(code) => code,
        Err(failure) => {
            // An error can name a JSON key or a row id taken from the input: escaped.
            eprintln!(
                "kapnotes: {}",
                kapnotes::interchange::text::escape_for_terminal(&failure.message)
            );
            ExitCode::from(failure.exit_code)
        }
    }
}
