//! Offline spell check as the clinician types: WebKitGTK's own checker, which asks
//! enchant, which reads the system's hunspell dictionaries. Nothing leaves the machine.
//!
//! No word the clinician types is ever written down. A client's name is clinical data,
//! and enchant's personal dictionary (`~/.config/enchant/<language>.dic`) is plaintext:
//! enchant even creates it, empty, as soon as a language is chosen. So enchant's folder
//! is pointed where no folder can be made (it then keeps no personal word list at all),
//! and "Learn Spelling" is taken out of the context menu. The spelling guesses stay, and
//! so does "Ignore Spelling": enchant keeps ignored words in memory only, until the app
//! quits.

use std::path::PathBuf;

/// The `spelling` preference that turns spell check off.
pub const OFF: &str = "off";

/// The language offered when the system's locale has no dictionary.
const FALLBACK: &str = "en_US";

/// The languages whose hunspell dictionary (a `.dic` with its `.aff`) is installed
/// where enchant looks for one: `hunspell/` in each of the system's data folders
/// (`$XDG_DATA_DIRS`, else /usr/local/share and /usr/share), and Debian's own
/// /usr/share/hunspell. Sorted, each once.
pub fn installed_languages() -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        let mut folders: Vec<PathBuf> = gio::glib::system_data_dirs()
            .into_iter()
            .map(|data| data.join("hunspell"))
            .collect();
        folders.push(PathBuf::from("/usr/share/hunspell"));
        dictionaries_in(&folders)
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

fn dictionaries_in(folders: &[PathBuf]) -> Vec<String> {
    let mut found: Vec<String> = folders
        .iter()
        .filter_map(|folder| std::fs::read_dir(folder).ok())
        .flatten()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "dic" || !path.with_extension("aff").is_file() {
                return None;
            }
            Some(path.file_stem()?.to_str()?.to_owned())
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The language spell check uses: the chosen one while its dictionary is installed
/// (or "off"), else the system's default.
pub fn in_effect(chosen: Option<&str>, installed: &[String]) -> String {
    match chosen {
        Some(language) if language == OFF || installed.iter().any(|i| i == language) => {
            language.to_owned()
        }
        _ => default_for(&locale_names(), installed),
    }
}

/// The system's languages, most preferred first (`de_DE.UTF-8`, `de_DE`, `de`, `C`…).
fn locale_names() -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        gio::glib::language_names()
            .iter()
            .map(|name| name.to_string())
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// The first of the system's languages with a dictionary (`de` takes any German one),
/// else en_US, else whichever is installed, else off.
fn default_for(locale_names: &[String], installed: &[String]) -> String {
    for name in locale_names {
        // `de_DE.UTF-8@euro` names the dictionary `de_DE`.
        let name = name.split(['.', '@']).next().unwrap_or_default();
        if name.is_empty() || name == "C" || name == "POSIX" {
            continue;
        }
        if let Some(exact) = installed.iter().find(|i| *i == name) {
            return exact.clone();
        }
        if !name.contains('_')
            && let Some(same_language) =
                installed.iter().find(|i| i.split('_').next() == Some(name))
        {
            return same_language.clone();
        }
    }
    if installed.iter().any(|i| i == FALLBACK) {
        return FALLBACK.to_owned();
    }
    installed.first().cloned().unwrap_or_else(|| OFF.to_owned())
}

/// Refuses a language without an installed dictionary.
pub fn check_choice(language: &str, installed: &[String]) -> Result<(), String> {
    if language == OFF || installed.iter().any(|i| i == language) {
        Ok(())
    } else {
        // The language is not repeated: it came from the webview, and may be anything.
        Err(
            "That spelling language has no dictionary on this computer: choose another, or Off."
                .into(),
        )
    }
}

/// Where enchant would keep its personal word lists: a path under /dev/null, where no
/// folder or file can ever be made, whoever runs the app.
const NO_PERSONAL_DICTIONARY: &str = "/dev/null";

/// Keeps enchant from writing a personal dictionary. Called first thing in `run()`,
/// before the window or any other thread exists, since it sets the process's environment
/// (enchant reads `ENCHANT_CONFIG_DIR` each time a language is chosen).
pub fn keep_no_personal_dictionary() {
    #[cfg(target_os = "linux")]
    if let Err(error) = gio::glib::setenv("ENCHANT_CONFIG_DIR", NO_PERSONAL_DICTIONARY, true) {
        eprintln!("kapnotes could not keep the spell checker from writing words: {error}");
    }
}

/// Turns spell check on in the chosen language (or off) for the main window, and takes
/// the entries that would write a personal dictionary out of its context menu. Called
/// once from the setup, on the main thread.
pub fn start(app: &tauri::AppHandle) {
    use tauri::Manager;
    let preferences = app
        .state::<crate::state::AppState>()
        .preferences_path
        .clone();
    let language = crate::preferences::Preferences::load(&preferences)
        .spelling_language(&installed_languages());
    #[cfg(target_os = "linux")]
    on_main_window(app, &language, true);
    #[cfg(not(target_os = "linux"))]
    let _ = language;
}

/// Changes the spell-check language (or turns it off) after the clinician chose.
pub fn apply(app: &tauri::AppHandle, language: &str) {
    #[cfg(target_os = "linux")]
    on_main_window(app, language, false);
    #[cfg(not(target_os = "linux"))]
    let _ = (app, language);
}

#[cfg(target_os = "linux")]
fn on_main_window(app: &tauri::AppHandle, language: &str, first_time: bool) {
    use tauri::Manager;
    use webkit2gtk::{WebContextExt, WebViewExt};

    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let language = language.to_owned();
    // WebKit is reached on the main thread; `with_webview` takes the call there.
    let _ = window.with_webview(move |webview| {
        let view = webview.inner();
        if first_time {
            view.connect_context_menu(|_, menu, _, _| {
                remove_learning(menu);
                #[cfg(feature = "e2e-paths")]
                record_menu_for_e2e(menu);
                false // show the menu, without those entries
            });
        }
        if let Some(context) = view.context() {
            if language == OFF {
                context.set_spell_checking_enabled(false);
            } else {
                context.set_spell_checking_languages(&[language.as_str()]);
                context.set_spell_checking_enabled(true);
            }
        }
    });
}

/// Whether a context-menu entry would write a word to a personal dictionary.
#[cfg(target_os = "linux")]
fn writes_a_word(action: webkit2gtk::ContextMenuAction) -> bool {
    matches!(action, webkit2gtk::ContextMenuAction::LearnSpelling)
}

/// Takes "Learn Spelling" out of `menu` and its submenus.
#[cfg(target_os = "linux")]
fn remove_learning(menu: &webkit2gtk::ContextMenu) {
    use webkit2gtk::{ContextMenuExt, ContextMenuItemExt};

    for item in menu.items() {
        if writes_a_word(item.stock_action()) {
            menu.remove(&item);
        } else if let Some(submenu) = item.submenu() {
            remove_learning(&submenu);
        }
    }
}

/// End-to-end test builds only: the entries of the menu about to be shown, one a line,
/// in `$KAPNOTES_E2E_DIR/context-menu` (WebDriver cannot read a native menu).
#[cfg(all(target_os = "linux", feature = "e2e-paths"))]
fn record_menu_for_e2e(menu: &webkit2gtk::ContextMenu) {
    use webkit2gtk::{ContextMenuExt, ContextMenuItemExt};

    fn entries(menu: &webkit2gtk::ContextMenu, into: &mut String) {
        for item in menu.items() {
            into.push_str(&format!("{:?}\n", item.stock_action()));
            if let Some(submenu) = item.submenu() {
                entries(&submenu, into);
            }
        }
    }
    let Some(dir) = std::env::var_os("KAPNOTES_E2E_DIR") else {
        return;
    };
    let mut listed = String::new();
    entries(menu, &mut listed);
    let _ = std::fs::write(PathBuf::from(dir).join("context-menu"), listed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_dictionary_is_a_dic_with_its_aff() {
        let root = std::env::temp_dir().join(format!("kapnotes-spelling-{}", std::process::id()));
        let (usr, local) = (root.join("usr"), root.join("local"));
        for folder in [&usr, &local] {
            std::fs::create_dir_all(folder).unwrap();
        }
        for (folder, file) in [
            (&usr, "en_US.dic"),
            (&usr, "en_US.aff"),
            (&usr, "de_DE_frami.dic"),
            (&usr, "de_DE_frami.aff"),
            (&usr, "fr_FR.dic"), // no .aff: hunspell cannot use it
            (&usr, "README_en_US.txt"),
            (&local, "en_US.dic"),
            (&local, "en_US.aff"),
            (&local, "en_GB.dic"),
            (&local, "en_GB.aff"),
        ] {
            std::fs::write(folder.join(file), "").unwrap();
        }
        let found = dictionaries_in(&[usr, local, root.join("missing")]);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, names(&["de_DE_frami", "en_GB", "en_US"]));
    }

    #[test]
    fn the_default_follows_the_system_language_then_english() {
        let installed = names(&["de_CH", "de_DE", "en_GB", "en_US"]);
        let locale = |list: &[&str]| names(list);
        assert_eq!(
            default_for(
                &locale(&["de_DE.UTF-8", "de_DE", "de.UTF-8", "de", "C"]),
                &installed
            ),
            "de_DE"
        );
        // A language without its country takes any dictionary of that language.
        assert_eq!(
            default_for(&locale(&["de_AT.UTF-8", "de_AT", "de", "C"]), &installed),
            "de_CH"
        );
        assert_eq!(default_for(&locale(&["en_GB@euro"]), &installed), "en_GB");
        assert_eq!(
            default_for(&locale(&["fr_FR", "fr", "C"]), &installed),
            "en_US"
        );
        assert_eq!(default_for(&locale(&["C.UTF-8", "C"]), &installed), "en_US");
        assert_eq!(default_for(&locale(&["C"]), &names(&["nl_NL"])), "nl_NL");
        assert_eq!(default_for(&locale(&["en_US"]), &[]), OFF);
    }

    #[test]
    fn a_choice_stands_while_its_dictionary_is_installed() {
        let installed = names(&["en_GB", "en_US"]);
        assert_eq!(in_effect(Some("en_GB"), &installed), "en_GB");
        assert_eq!(in_effect(Some(OFF), &installed), OFF);
        let fallback = in_effect(None, &installed);
        assert_eq!(in_effect(Some("de_DE"), &installed), fallback);
        assert!(installed.contains(&fallback));

        assert!(check_choice("en_GB", &installed).is_ok());
        assert!(check_choice(OFF, &installed).is_ok());
        assert!(check_choice("de_DE", &installed).is_err());
        assert!(check_choice("../../etc/passwd", &installed).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn learn_spelling_is_the_entry_that_writes_a_word() {
        use webkit2gtk::ContextMenuAction;
        assert!(writes_a_word(ContextMenuAction::LearnSpelling));
        for kept in [
            ContextMenuAction::SpellingGuess,
            ContextMenuAction::IgnoreSpelling,
            ContextMenuAction::Copy,
            ContextMenuAction::Paste,
        ] {
            assert!(!writes_a_word(kept), "{kept:?}");
        }
    }
}
