//! One round of the anchor workload on SQLCipher 4, for `cargo bench --bench
//! side_by_side`: `kapnotes-sqlcipher-anchor DOCUMENT FOLDER CLIENT_ID QUERY`, with the
//! passphrase in KAPNOTES_ANCHOR_KEY; prints the round's times as one JSON line.

#[path = "../../workload/anchor.rs"]
mod anchor;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [document, folder, client, query] = args.as_slice() else {
        eprintln!("usage: kapnotes-sqlcipher-anchor DOCUMENT FOLDER CLIENT_ID QUERY");
        return ExitCode::from(2);
    };
    let key = std::env::var("KAPNOTES_ANCHOR_KEY").unwrap_or_else(|_| "anchor passphrase".into());
    let outcome = std::fs::read_to_string(document)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            anchor::anchor_round(&text, Path::new(folder), Some(&key), client, query)
                .map_err(|e| e.to_string())
        })
        .and_then(|times| serde_json::to_string(&times).map_err(|e| e.to_string()));
    match outcome {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("the SQLCipher anchor failed: {message}");
            ExitCode::FAILURE
        }
    }
}
