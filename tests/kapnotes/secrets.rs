//! "Someone may know my passphrase": a new passphrase, data key and recovery key in one
//! step, and what it does and does not protect; and the reader the app's background
//! `verify` runs on.

use crate::common::*;
use kapnotes::vault::AuditAction;
use kapnotes::{Access, Error, Vault};

#[test]
fn replacing_every_secret_locks_out_the_old_passphrase_and_recovery_key_but_not_older_copies() {
    let (tv, vault) = TestVault::with_example();
    drop(vault);
    let (_, recovery) = {
        // A fresh recovery key we know, to show the old one stops working.
        let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
        let recovery = vault.regenerate_recovery_key().unwrap();
        (vault, recovery)
    };
    let old_recovery = recovery.dangerously_reveal().as_str().to_owned();
    let before = tv.file("before.kapnotes");
    kapnotes::vault::backup_file(&tv.path, &before).unwrap();
    let expected = export_value(&Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap());

    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    let err = vault
        .replace_every_secret("not the passphrase", "a brand new passphrase")
        .err()
        .unwrap();
    assert!(matches!(err, Error::WrongPassphrase), "{err}");
    let err = vault
        .replace_every_secret(PASSPHRASE, "short")
        .err()
        .unwrap();
    assert!(matches!(err, Error::WeakPassphrase { .. }), "{err}");
    let new_recovery = vault
        .replace_every_secret(PASSPHRASE, "a brand new passphrase")
        .unwrap();
    drop(vault);

    assert!(matches!(
        Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).err(),
        Some(Error::WrongPassphrase)
    ));
    assert!(matches!(
        Vault::unlock_with_recovery_key(&tv.path, &old_recovery, Access::ReadOnly).err(),
        Some(Error::WrongRecoveryKey)
    ));
    Vault::unlock_with_recovery_key(
        &tv.path,
        new_recovery.dangerously_reveal().as_str(),
        Access::ReadOnly,
    )
    .unwrap();
    let vault = Vault::unlock(&tv.path, "a brand new passphrase", Access::ReadOnly).unwrap();
    assert_eq!(export_value(&vault), expected, "every record survives");
    assert!(vault.verify().unwrap().is_clean());
    let trail = vault.audit_trail().unwrap();
    assert!(
        trail
            .entries
            .iter()
            .any(|e| e.action == AuditAction::SecretsReplaced)
    );
    // The copy made before still opens with the old passphrase: that is the limit.
    Vault::unlock(&before, PASSPHRASE, Access::ReadOnly).unwrap();
}

#[test]
fn the_detached_reader_verifies_on_another_thread_while_the_vault_stays_usable() {
    let (_tv, mut vault) = TestVault::with_example();
    let reader = vault.detached_reader().unwrap();
    assert!(!reader.is_writable());
    let checking = std::thread::spawn(move || reader.verify().unwrap());
    vault.set_client_archived(CLIENT, true).unwrap();
    let report = checking.join().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert!(report.records_checked > 0);
}
