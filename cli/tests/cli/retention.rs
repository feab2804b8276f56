//! `kapnotes retention` lists the clients past their retention; `kapnotes dispose`
//! asks the passphrase again and the client's name before deleting anything.

use crate::common::*;
use crate::run_kapnotes;
use kapnotes::interchange;
use kapnotes::vault::AuditAction;
use kapnotes::{Access, Vault};

#[test]
fn retention_lists_and_dispose_confirms_before_deleting() {
    let (tv, mut vault) = TestVault::new();
    // The example ten years earlier: its retention ended in 2023.
    interchange::import(&mut vault, &EXAMPLE.replace("2026-", "2016-")).unwrap();
    let name = vault.client(CLIENT).unwrap().profile.display_name;
    drop(vault);

    let out = run_kapnotes(&tv.path, &["retention"], &format!("{PASSPHRASE}\n"));
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{out:?}");
    assert!(
        listed.starts_with(&format!("PAST  {CLIENT}  {name}  kept until 2023-")),
        "{listed}"
    );

    // The wrong name typed: nothing deleted.
    let out = run_kapnotes(
        &tv.path,
        &["dispose", CLIENT],
        &format!("{PASSPHRASE}\n{PASSPHRASE}\nsomeone else\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("signed notes included"), "{said}");
    assert!(said.contains("Other copies may exist"), "{said}");
    // A wrong passphrase the second time: nothing deleted either.
    let out = run_kapnotes(
        &tv.path,
        &["dispose", CLIENT],
        &format!("{PASSPHRASE}\nwrong\n{name}\n"),
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(vault.client(CLIENT).is_ok());
    drop(vault);

    let out = run_kapnotes(
        &tv.path,
        &["dispose", CLIENT],
        &format!("{PASSPHRASE}\n{PASSPHRASE}\n{name}\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(vault.client(CLIENT).is_err());
    let last = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(last.action, AuditAction::Disposed);
    drop(vault);
    let out = run_kapnotes(&tv.path, &["verify"], &format!("{PASSPHRASE}\n"));
    assert!(out.status.success(), "{out:?}");
}
