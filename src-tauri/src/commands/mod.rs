//! The commands the front end may call (each listed in build.rs and allowed in
//! capabilities/main.json). One module per domain; each command translates its
//! arguments and delegates to the core.

pub mod amendments;
pub mod attachments;
pub mod backups;
pub mod clients;
pub mod course;
pub mod dosing;
pub mod files;
pub mod parts_map;
pub mod records_out;
pub mod sessions;
pub mod settings;
pub mod vault;
