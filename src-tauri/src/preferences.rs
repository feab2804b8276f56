//! The app's own preferences (theme, auto-lock, backups, paper, the reading reminder,
//! the spelling language).
//! Nothing clinical: they are needed before unlock (the unlock screen's theme), so they
//! live in a small JSON file in the config folder. The clinician's name and practice are clinical and live in the vault.
//! The front end reads and changes only [`Choices`]: the backup folder is chosen in the
//! system's folder dialog, opened from the shell (the webview never names a path).

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
    /// A calm visual reminder on the monitoring step when a reading is due (off unless asked).
    pub reading_reminder: bool,
    /// Minutes between readings during a dosing session (5–60).
    pub reading_every_minutes: u32,
    /// The spell-check language (a hunspell dictionary's name, as `en_US`) or "off";
    /// `None` until the clinician chooses: the system's language then.
    pub spelling: Option<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            theme: "dark".into(),
            auto_lock_minutes: 10,
            backup_folder: None,
            backup_every_minutes: 15,
            paper: kapnotes::documents::Paper::A4,
            reading_reminder: false,
            reading_every_minutes: 15,
            spelling: None,
        }
    }
}

/// The preferences the front end may read and change: all but the backup folder.
/// Unknown fields are refused, so a script in the webview cannot name a folder here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Preferences"))]
#[serde(deny_unknown_fields)]
pub struct Choices {
    #[cfg_attr(test, ts(type = r#""light" | "dark" | "dim""#))]
    pub theme: String,
    pub auto_lock_minutes: u32,
    pub backup_every_minutes: u32,
    pub paper: kapnotes::documents::Paper,
    // Defaults, so a screen that sends the older set of choices still saves.
    #[serde(default)]
    pub reading_reminder: bool,
    #[serde(default = "default_reading_every_minutes")]
    pub reading_every_minutes: u32,
    /// The spell-check language in effect, or "off". `None` (from a screen that sends the
    /// older set of choices) keeps the stored one.
    #[serde(default)]
    pub spelling: Option<String>,
}

/// What the Settings screen reads: the choices, and the spelling languages it may offer
/// (those with a dictionary installed). The list is not sent back.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PreferencesShown"))]
pub struct Shown {
    #[serde(flatten)]
    pub choices: Choices,
    pub spelling_languages: Vec<String>,
}

fn default_reading_every_minutes() -> u32 {
    15
}

impl Choices {
    /// These choices if every one is in range; `installed`: the spelling languages with a
    /// dictionary.
    pub fn validated(self, installed: &[String]) -> Result<Choices, String> {
        if !["light", "dark", "dim"].contains(&self.theme.as_str()) {
            return Err("The theme must be light, dark or dim.".into());
        }
        if !(1..=240).contains(&self.auto_lock_minutes) {
            return Err("Auto-lock must be between 1 and 240 minutes.".into());
        }
        if !(5..=1440).contains(&self.backup_every_minutes) {
            return Err("Automatic backups must be between every 5 minutes and once a day.".into());
        }
        if !(5..=60).contains(&self.reading_every_minutes) {
            return Err("Readings must be due between every 5 and every 60 minutes.".into());
        }
        if let Some(language) = &self.spelling {
            crate::spelling::check_choice(language, installed)?;
        }
        Ok(self)
    }
}

impl Preferences {
    pub fn load(path: &Path) -> Preferences {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// The choices as in effect; `installed`: the spelling languages with a dictionary.
    pub fn choices(&self, installed: &[String]) -> Choices {
        Choices {
            theme: self.theme.clone(),
            auto_lock_minutes: self.auto_lock_minutes,
            backup_every_minutes: self.backup_every_minutes,
            paper: self.paper,
            reading_reminder: self.reading_reminder,
            reading_every_minutes: self.reading_every_minutes,
            spelling: Some(self.spelling_language(installed)),
        }
    }

    /// The choices and the spelling languages installed, for the Settings screen.
    pub fn shown(&self) -> Shown {
        let installed = crate::spelling::installed_languages();
        Shown {
            choices: self.choices(&installed),
            spelling_languages: installed,
        }
    }

    /// The spell-check language in effect (see [`crate::spelling::in_effect`]).
    pub fn spelling_language(&self, installed: &[String]) -> String {
        crate::spelling::in_effect(self.spelling.as_deref(), installed)
    }

    /// These preferences with `choices` applied; the backup folder stays as it is.
    /// `installed`: the spelling languages with a dictionary. A screen sends back the
    /// language in effect with every save (the dim-room switch too): that is no choice,
    /// so a clinician who never chose keeps following the system's language.
    pub fn with_choices(self, choices: Choices, installed: &[String]) -> Preferences {
        let spelling = match choices.spelling {
            Some(sent) if sent == self.spelling_language(installed) => self.spelling.clone(),
            sent => sent.or(self.spelling.clone()),
        };
        Preferences {
            theme: choices.theme,
            auto_lock_minutes: choices.auto_lock_minutes,
            backup_every_minutes: choices.backup_every_minutes,
            paper: choices.paper,
            reading_reminder: choices.reading_reminder,
            reading_every_minutes: choices.reading_every_minutes,
            spelling,
            ..self
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_end_cannot_name_a_backup_folder() {
        let from_webview = r#"{"theme":"dim","auto_lock_minutes":5,"backup_every_minutes":30,"paper":"a4","backup_folder":"/tmp/elsewhere"}"#;
        assert!(serde_json::from_str::<Choices>(from_webview).is_err());
    }

    #[test]
    fn applying_choices_keeps_the_chosen_backup_folder() {
        let stored = Preferences {
            backup_folder: Some("/home/clinician/Backups".into()),
            ..Preferences::default()
        };
        let choices: Choices = serde_json::from_str(
            r#"{"theme":"dim","auto_lock_minutes":5,"backup_every_minutes":30,"paper":"letter","reading_reminder":true,"reading_every_minutes":10,"spelling":"off"}"#,
        )
        .unwrap();
        let applied = stored.with_choices(choices.clone().validated(&[]).unwrap(), &[]);
        assert_eq!(
            applied.backup_folder.as_deref(),
            Some("/home/clinician/Backups")
        );
        assert_eq!(applied.choices(&[]), choices);
    }

    #[test]
    fn the_reading_reminder_is_off_until_asked_and_older_choices_still_read() {
        assert!(!Preferences::default().reading_reminder);
        let older: Choices = serde_json::from_str(
            r#"{"theme":"dim","auto_lock_minutes":5,"backup_every_minutes":30,"paper":"a4"}"#,
        )
        .unwrap();
        assert!(!older.reading_reminder);
        assert_eq!(older.reading_every_minutes, 15);
        let too_often = Choices {
            reading_every_minutes: 1,
            ..older
        };
        assert!(too_often.validated(&[]).is_err());
    }

    #[test]
    fn the_spelling_language_is_kept_until_changed_and_must_have_a_dictionary() {
        let installed = vec!["en_GB".to_owned(), "en_US".to_owned()];
        let stored = Preferences {
            spelling: Some("en_GB".into()),
            ..Preferences::default()
        };
        // A screen that sends no spelling leaves the clinician's choice alone.
        let older: Choices = serde_json::from_str(
            r#"{"theme":"dim","auto_lock_minutes":5,"backup_every_minutes":30,"paper":"a4"}"#,
        )
        .unwrap();
        let kept = stored
            .clone()
            .with_choices(older.clone().validated(&installed).unwrap(), &installed);
        assert_eq!(kept.choices(&installed).spelling.as_deref(), Some("en_GB"));

        let off = Choices {
            spelling: Some("off".into()),
            ..older.clone()
        };
        let turned_off = stored
            .clone()
            .with_choices(off.validated(&installed).unwrap(), &installed);
        assert_eq!(turned_off.spelling.as_deref(), Some("off"));

        let missing = Choices {
            spelling: Some("de_DE".into()),
            ..older
        };
        assert!(missing.validated(&installed).is_err());

        // Saving the other choices sends back the language in effect: a clinician who
        // never chose one keeps following the system's.
        let never_chosen = Preferences::default();
        let in_effect = never_chosen.spelling_language(&installed);
        let resaved = never_chosen.with_choices(
            Choices {
                spelling: Some(in_effect),
                ..stored.choices(&installed)
            },
            &installed,
        );
        assert_eq!(resaved.spelling, None);
    }
}
