//! kapnotes: encrypted, offline clinical records for Ketamine-Assisted Psychotherapy
//! with an Internal Family Systems lens.
//!
//! The core library, in layers that point one way (docs/ARCHITECTURE.md): the typed
//! records ([`records`]) and what is true of them ([`validation`], [`rules`],
//! [`measures`], [`parts_history`], [`charts`]); the encrypted vault ([`vault`]:
//! storage, keys and the audit trail); and above it the interchange format
//! ([`interchange`]), full-text search ([`search`]) and PDF documents ([`documents`]),
//! which call the vault. It depends on no GUI crate; the desktop shell and the
//! `kapnotes` command line wrap it.

#![forbid(unsafe_code)]

pub mod charts;
pub mod crypto;
pub mod documents;
pub mod error;
pub mod interchange;
pub mod measures;
pub mod parts_history;
pub mod records;
pub mod rules;
pub mod search;
pub mod validation;
pub mod vault;
pub mod viewer;

pub use error::{Error, ErrorKind, Internal, Refusal, Rejection, Result};
pub use interchange::{Document, ExportScope, ImportSummary};
pub use vault::{Access, Vault};
