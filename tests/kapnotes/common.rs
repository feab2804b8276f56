//! Shared helpers: temporary vaults with cheap key derivation, and sample records.

use kapnotes::Vault;
use kapnotes::interchange;
use kapnotes::records::*;
use std::path::{Path, PathBuf};

pub const PASSPHRASE: &str = "correct horse battery staple";

pub const EXAMPLE: &str = include_str!("../fixtures/interchange/example.json");
pub const EXAMPLE_CANONICAL: &str = include_str!("../fixtures/interchange/example.canonical.json");
/// The example with parts work over time: unburdening steps, a group, and a map
/// history (a part added and removed, renames, status changes), in canonical form.
pub const PARTS_OVER_TIME: &str = include_str!("../fixtures/interchange/parts-over-time.json");

/// A temporary folder holding one vault file.
pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestVault {
    pub fn new() -> (TestVault, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.kapnotes");
        let (vault, _recovery) = Vault::create_insecure_for_tests(&path, PASSPHRASE).unwrap();
        (TestVault { dir, path }, vault)
    }

    pub fn with_example() -> (TestVault, Vault) {
        let (tv, mut vault) = TestVault::new();
        interchange::import(&mut vault, EXAMPLE).unwrap();
        (tv, vault)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

pub fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

pub const CLIENT: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e01";
pub const PLANNER: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e11";
pub const SCROLLING: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e12";
pub const LITTLE_ONE: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e13";
pub const PREPARATION: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e40";
pub const DOSING: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e50";
pub const INTEGRATION: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e60";

/// The export of the whole vault with `exported_at` removed, for comparisons.
pub fn export_value(vault: &Vault) -> serde_json::Value {
    let text = interchange::export(vault, &kapnotes::ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("exported_at");
    value
}

/// An unsigned dosing session for the example client, on the given day.
pub fn dosing_session(day: &str) -> Session {
    let mut s = Session::new(SessionKind::Dosing, ts(&format!("{day}T14:00:00+02:00")));
    s.status = SessionStatus::Completed;
    s.note = "Quiet journey.".into();
    s
}

pub fn read_all_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap_or_default();
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        bytes.extend(std::fs::read(PathBuf::from(name)).unwrap_or_default());
    }
    bytes
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
