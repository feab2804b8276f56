//! `attach`, `attachments`, `detach` and `save-attachment`: files kept sealed in the
//! vault with a client's record.

use super::passphrase::Input;
use super::{Failure, Outcome};
use kapnotes::interchange::text::escape_for_terminal;
use kapnotes::records::{AttachmentKind, Date};
use kapnotes::vault::{NewAttachment, Overwrite};
use kapnotes::{Access, Vault};
use std::path::Path;
use std::process::ExitCode;

/// What `attach` was told besides the client and the file.
pub struct AttachChoice {
    pub session: Option<String>,
    pub title: Option<String>,
    pub kind: String,
    pub date: Option<String>,
}

pub fn attach(
    vault_path: &Path,
    client: &str,
    file: &Path,
    choice: AttachChoice,
    input: &mut Input,
) -> Outcome {
    // Everything the clinician typed is checked before the passphrase is asked.
    let kind = AttachmentKind::from_code(&choice.kind).ok_or_else(|| {
        Failure::usage(format!(
            "--kind is one of consent, prescriber_letter, lab_or_ecg or other, not \"{}\".",
            escape_for_terminal(&choice.kind)
        ))
    })?;
    let document_date = match choice.date {
        None => None,
        Some(text) => Some(Date::parse(&text).map_err(|_| {
            Failure::usage(format!(
                "--date takes a date such as 2026-05-10, not \"{}\".",
                escape_for_terminal(&text)
            ))
        })?),
    };
    let mut new = NewAttachment::new(client, kind);
    new.session_id = choice.session;
    new.title = choice.title;
    new.document_date = document_date;
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let attached = vault.attach_file(&new, file)?;
    println!("{}", attached.id);
    eprintln!(
        "Attached \"{}\" ({}, {}) to the client's record, sealed in the vault; the original file at {} is untouched and NOT encrypted: delete it if it should not stay there.",
        escape_for_terminal(&attached.title),
        attached.kind.label(),
        attached.media_type.extension().to_uppercase(),
        file.display()
    );
    if kind == AttachmentKind::Consent {
        let on = vault.client(client)?.profile.consent_signed_on;
        if let Some(on) = on {
            eprintln!("Informed consent is on file as signed on {on}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A size in words: "312 KB", "4.2 MB".
fn size_in_words(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

pub fn list(vault_path: &Path, client: Option<&str>, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    super::warn_if_trail_damaged(&vault);
    let attachments = vault.attachments(client)?;
    for a in &attachments {
        let session = a
            .session_id
            .as_deref()
            .map(|s| format!("  session {s}"))
            .unwrap_or_default();
        println!(
            "{}  {}  {}  {}  {}  {}  client {}{}",
            a.id,
            a.document_date,
            a.kind.code(),
            a.media_type.extension(),
            size_in_words(a.size),
            escape_for_terminal(&a.title),
            a.client_id,
            session
        );
    }
    if attachments.is_empty() {
        eprintln!("No attachments.");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn detach(vault_path: &Path, id: &str, input: &mut Input) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let mut vault =
        super::opened_for_writing(Vault::unlock(vault_path, &passphrase, Access::ReadWrite)?);
    let detached = vault.detach(id)?;
    eprintln!(
        "Detached \"{}\": it is gone from the vault (its deletion is in the audit trail); backups taken before still hold it.",
        escape_for_terminal(&detached.title)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn save(
    vault_path: &Path,
    id: &str,
    output: &Path,
    overwrite: Overwrite,
    input: &mut Input,
) -> Outcome {
    let passphrase = input.secret("Passphrase")?;
    let vault = Vault::unlock(vault_path, &passphrase, Access::ReadOnly)?;
    super::warn_if_trail_damaged(&vault);
    vault.save_attachment(id, output, overwrite)?;
    eprintln!(
        "Saved to {}. This file is NOT encrypted: keep it safe and delete it when it is no longer needed.",
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
