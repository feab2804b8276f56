// The app's own commands: listed so the capability file can allow exactly these.
const COMMANDS: &[&str] = &[
    "app_status",
    "create_vault",
    "unlock_vault",
    "recover_vault",
    "lock_vault",
    "change_passphrase",
    "get_preferences",
    "set_preferences",
    "get_clinician",
    "set_clinician",
    "list_clients",
    "get_client",
    "create_client",
    "update_client",
    "set_client_archived",
    "delete_client",
    "new_id",
    "create_part",
    "update_part",
    "delete_part",
    "create_relationship",
    "update_relationship",
    "delete_relationship",
    "create_agreement",
    "update_agreement",
    "delete_agreement",
    "create_session",
    "update_session",
    "delete_session",
    "sign_session",
    "add_addendum",
    "note_revisions",
    "restore_note_revision",
    "assess_dose",
    "checkin_decision",
    "search",
    "import_file",
    "export_file",
    "backup_file",
    "restore_file",
    "quit_app",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build step failed");
}
