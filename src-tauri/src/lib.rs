//! The kapnotes desktop shell: managed state, the window, and the command list. The
//! commands themselves live in `commands/`, one module per domain; they translate and
//! delegate to the `kapnotes` core, and compute nothing clinical themselves.

#![forbid(unsafe_code)]

mod commands;
#[cfg(test)]
mod contract;
mod error;
mod file_choice;
mod file_drop;
mod preferences;
mod screen_lock;
mod spelling;
mod state;
mod verification;
#[cfg(target_os = "linux")]
mod webkit_settings;

use state::AppState;
use tauri::{Emitter, Manager, WindowEvent};

/// How long the window waits for the front end to save before it closes anyway.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

pub fn run() {
    spelling::keep_no_personal_dictionary();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::from_environment())
        .manage(file_drop::DroppedFiles::default())
        .setup(|app| {
            screen_lock::watch(app.handle());
            spelling::start(app.handle());
            #[cfg(target_os = "linux")]
            webkit_settings::apply(app);
            #[cfg(target_os = "linux")]
            file_drop::watch(app);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<AppState>();
                if state.is_unlocked() {
                    // Let the front end save what the clinician is typing, then quit.
                    api.prevent_close();
                    let _ = window.emit("app-closing", ());
                    let handle = window.app_handle().clone();
                    std::thread::spawn(move || {
                        std::thread::sleep(CLOSE_GRACE);
                        let state = handle.state::<AppState>();
                        commands::backups::back_up_and_lock(&state);
                        handle.exit(0);
                    });
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::vault::app_status,
            commands::vault::create_vault,
            commands::vault::unlock_vault,
            commands::vault::recover_vault,
            commands::vault::lock_vault,
            commands::vault::change_passphrase,
            commands::vault::regenerate_recovery_key,
            commands::vault::rotate_data_key,
            commands::vault::replace_every_secret,
            commands::vault::quit_app,
            commands::settings::get_preferences,
            commands::settings::set_preferences,
            commands::settings::get_clinician,
            commands::settings::set_clinician,
            commands::settings::get_thresholds,
            commands::settings::set_thresholds,
            commands::settings::get_note_templates,
            commands::settings::set_note_templates,
            commands::settings::get_retention,
            commands::settings::set_retention,
            commands::settings::past_retention,
            commands::settings::disposal_preview,
            commands::settings::dispose_client,
            commands::clients::list_clients,
            commands::clients::get_client,
            commands::clients::create_client,
            commands::clients::update_client,
            commands::clients::set_client_archived,
            commands::clients::delete_client,
            commands::clients::new_id,
            commands::clients::search,
            commands::clients::prepare_search,
            commands::parts_map::create_part,
            commands::parts_map::update_part,
            commands::parts_map::set_part_positions,
            commands::parts_map::delete_part,
            commands::parts_map::create_relationship,
            commands::parts_map::update_relationship,
            commands::parts_map::delete_relationship,
            commands::parts_map::create_agreement,
            commands::parts_map::update_agreement,
            commands::parts_map::delete_agreement,
            commands::parts_map::parts_map,
            commands::parts_map::create_group,
            commands::parts_map::update_group,
            commands::parts_map::delete_group,
            commands::parts_map::record_unburdening_step,
            commands::parts_map::delete_unburdening_step,
            commands::parts_map::parts_map_on,
            commands::parts_map::compare_parts_maps,
            commands::parts_map::part_story,
            commands::sessions::create_session,
            commands::sessions::update_session,
            commands::sessions::delete_session,
            commands::sessions::sign_session,
            commands::sessions::add_addendum,
            commands::sessions::note_revisions,
            commands::sessions::restore_note_revision,
            commands::sessions::assess_dose,
            commands::sessions::checkin_decision,
            commands::dosing::session_vitals_chart,
            commands::files::import_file,
            commands::files::export_file,
            commands::files::backup_file,
            commands::files::restore_file,
            commands::backups::backup_status,
            commands::backups::auto_backup,
            commands::backups::choose_backup_folder,
            commands::backups::use_default_backup_folder,
            commands::course::client_overview,
            commands::course::acknowledge_finding,
            commands::course::reopen_finding,
            commands::amendments::log_amendment_request,
            commands::amendments::extend_amendment_request,
            commands::amendments::accept_amendment_request,
            commands::amendments::deny_amendment_request,
            commands::course::score_measure,
            commands::course::instrument_items,
            commands::course::create_measure,
            commands::course::update_measure,
            commands::course::delete_measure,
            commands::records_out::audit_trail,
            commands::records_out::write_document,
            commands::attachments::list_attachments,
            commands::attachments::attach_chosen_file,
            commands::attachments::attach_dropped_files,
            commands::attachments::discard_dropped_files,
            commands::attachments::attachment_page,
            commands::attachments::save_attachment_file,
            commands::attachments::detach_attachment,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => eprintln!("kapnotes could not start its window: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The command list lives in four places, and Tauri's build step never deletes the
    /// permission file of a removed command: they must all name the same commands. (The
    /// build rewrites gen/schemas from the permission files, so a stale file is the one
    /// way a removed command's permission lingers there.)
    #[test]
    fn every_list_of_commands_names_the_same_commands() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();

        let build = read("build.rs");
        let listed = build
            .split_once("const COMMANDS")
            .and_then(|(_, rest)| rest.split_once("];"))
            .unwrap()
            .0;
        let build_rs: BTreeSet<String> = listed
            .lines()
            .filter_map(|line| line.trim().strip_prefix('"')?.strip_suffix("\","))
            .map(str::to_owned)
            .collect();

        let lib = read("src/lib.rs");
        let handler = lib
            .split_once("generate_handler![")
            .and_then(|(_, rest)| rest.split_once("])"))
            .unwrap()
            .0;
        let generate_handler: BTreeSet<String> = handler
            .split(',')
            .filter_map(|path| path.trim().rsplit("::").next())
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();

        let capability: serde_json::Value =
            serde_json::from_str(&read("capabilities/main.json")).unwrap();
        let allowed: BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|name| name.replace('-', "_"))
            .collect();

        let permission_files: BTreeSet<String> =
            std::fs::read_dir(root.join("permissions/autogenerated"))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .filter_map(|name| name.strip_suffix(".toml").map(str::to_owned))
                .collect();

        let ipc = read("../ui/src/lib/ipc.ts");
        let called: BTreeSet<String> = ipc
            .split("call<")
            .skip(1)
            .filter_map(|after| after.split_once("('")?.1.split_once('\''))
            .map(|(name, _)| name.to_owned())
            .collect();

        assert!(build_rs.len() > 50, "{build_rs:?}");
        assert_eq!(generate_handler, build_rs, "generate_handler! and build.rs");
        assert_eq!(allowed, build_rs, "capabilities/main.json and build.rs");
        assert_eq!(
            permission_files, build_rs,
            "permissions/autogenerated and build.rs"
        );
        assert_eq!(called, build_rs, "ui/src/lib/ipc.ts and build.rs");
    }
}
