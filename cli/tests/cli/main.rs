//! The `kapnotes` command line's tests: its commands, standard-input passphrases, the
//! files it writes, its exit codes, and stored text printed escaped. They share the core
//! suite's helpers (tests/kapnotes/common.rs) and run the real binary on real vaults.

#[allow(dead_code)]
#[path = "../../../tests/kapnotes/common.rs"]
mod common;

mod attachments;
mod commands;
mod escaping;
mod retention;
mod thresholds;

use std::path::Path;

/// Runs the `kapnotes` binary on `vault` with `args`, `stdin` on its standard input.
pub fn run_kapnotes(vault: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kapnotes"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env_remove("KAPNOTES_VAULT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before reading its standard input closes it: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}
