//! The app's own preferences (theme, auto-lock, backups, paper). Nothing clinical: they are needed
//! before unlock (the unlock screen's theme), so they live in a small JSON file in the
//! config folder. The clinician's name and practice are clinical and live in the vault.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// "light", "dark" or "dim".
    pub theme: String,
    /// Lock after this many idle minutes (1–240).
    pub auto_lock_minutes: u32,
    /// Where automatic backups go (`None`: the default folder in the data directory).
    pub backup_folder: Option<String>,
    /// At most one automatic backup this often, in minutes (5–1440), after changes.
    pub backup_every_minutes: u32,
    /// The paper PDFs are laid out for.
    pub paper: kapnotes::documents::Paper,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            theme: "dark".into(),
            auto_lock_minutes: 10,
            backup_folder: None,
            backup_every_minutes: 15,
            paper: kapnotes::documents::Paper::A4,
        }
    }
}

impl Preferences {
    pub fn load(path: &Path) -> Preferences {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn validated(self) -> Result<Preferences, String> {
        if !["light", "dark", "dim"].contains(&self.theme.as_str()) {
            return Err("The theme must be light, dark or dim.".into());
        }
        if !(1..=240).contains(&self.auto_lock_minutes) {
            return Err("Auto-lock must be between 1 and 240 minutes.".into());
        }
        if !(5..=1440).contains(&self.backup_every_minutes) {
            return Err("Automatic backups must be between every 5 minutes and once a day.".into());
        }
        Ok(self)
    }

    /// The folder automatic backups go to.
    pub fn backup_folder(&self) -> Option<PathBuf> {
        match &self.backup_folder {
            Some(folder) => Some(PathBuf::from(folder)),
            None => kapnotes::vault::default_backup_folder(),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("The preferences could not be saved ({e}).");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(fail)
    }
}
