//! The integration tests: one binary, a module per area. Every test works on real
//! SQLite files in a temporary folder.

mod acknowledgements;
mod amendments;
mod attachments;
mod attack;
mod audit;
mod common;
mod crash;
mod documents;
mod dosing_day;
mod interchange;
mod layers;
mod measures_more;
mod output_files;
mod parts_history;
mod records;
mod retention;
mod review12;
mod robustness;
mod rule_settings;
mod search;
mod secrets;
mod security;
mod storage;
mod templates;
mod text;
