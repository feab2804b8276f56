//! Kill a writer process (SIGKILL) in the middle of its work, many times over, then
//! check that the vault verifies and that every write it acknowledged is there.
//!
//! The writer is this test binary itself, re-run with an environment variable and
//! `--ignored` so that `crash_writer_child` does the writing. On its own that function
//! is not a test: it is ignored, and fails if run without the parent.

use crate::common::*;
use kapnotes::{Access, Vault};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "KAPNOTES_CRASH_TEST_VAULT";

/// Runs only inside the child process: writes until killed, printing `ack <n>` after
/// each write returns.
#[test]
#[ignore = "the writer process that killing_a_writer_never_loses_an_acknowledged_write starts and kills; not a test on its own"]
fn crash_writer_child() {
    let path = std::env::var(CHILD_ENV).unwrap_or_else(|_| {
        panic!(
            "crash_writer_child is the writer that crash::killing_a_writer_never_loses_an_acknowledged_write runs; run that test instead"
        )
    });
    let start: usize = std::env::var("KAPNOTES_CRASH_TEST_START")
        .unwrap()
        .parse()
        .unwrap();
    let mut vault =
        Vault::unlock(std::path::Path::new(&path), PASSPHRASE, Access::ReadWrite).unwrap();
    let mut out = std::io::stdout().lock();
    let mut session = vault.session(INTEGRATION).unwrap();
    for n in start.. {
        if n % 2 == 0 {
            let mut s = dosing_session("2026-08-01");
            s.note = format!("acknowledged write {n}");
            vault.create_session(CLIENT, s).unwrap();
        } else {
            session.note = format!("acknowledged write {n} {}", "text ".repeat(n % 50));
            vault.update_session(session.clone()).unwrap();
        }
        writeln!(out, "ack {n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn killing_a_writer_never_loses_an_acknowledged_write() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<usize> = Vec::new();
    let mut next = 0;
    for round in 0..30 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::crash_writer_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &tv.path)
            .env("KAPNOTES_CRASH_TEST_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until the child has acknowledged a few writes (so every round makes
        // progress even on a loaded machine), then kill it at a varying moment.
        let ack_number = |line: &str| {
            line.rsplit_once("ack ")
                .and_then(|(_, n)| n.parse::<usize>().ok())
        };
        let wanted = 1 + round % 4;
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut acks: Vec<usize> = Vec::new();
        while acks.len() < wanted {
            let line = receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the writer stopped acknowledging writes");
            acks.extend(ack_number(&line));
        }
        std::thread::sleep(Duration::from_millis((round as u64 * 7) % 25));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        // Killed mid-work, not finished or failed on its own.
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: the writer was not killed by SIGKILL: {status}"
        );
        reader.join().unwrap();
        acks.extend(receiver.try_iter().filter_map(|l| ack_number(&l)));
        if let Some(last) = acks.last() {
            next = last + 1;
        }
        // An unacknowledged write in flight may or may not have landed; skip its number.
        next += 1;
        acknowledged.extend(acks);
    }
    assert!(
        acknowledged.len() > 30,
        "too few writes to mean anything: {}",
        acknowledged.len()
    );

    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    let sessions = vault.sessions(CLIENT).unwrap();
    let notes: Vec<&str> = sessions.iter().map(|s| s.note.as_str()).collect();
    for n in acknowledged.iter().filter(|n| *n % 2 == 0) {
        let wanted = format!("acknowledged write {n}");
        assert!(
            notes.contains(&wanted.as_str()),
            "write {n} was acknowledged but is missing"
        );
    }
    // The last acknowledged update of the integration note is there (or a later one).
    if let Some(last_update) = acknowledged.iter().filter(|n| *n % 2 == 1).max() {
        let note = &vault.session(INTEGRATION).unwrap().note;
        let found: usize = note.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert!(
            found >= *last_update,
            "update {last_update} was acknowledged but the note says {found}"
        );
    }
}
