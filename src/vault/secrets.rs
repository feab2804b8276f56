//! The secrets that open the vault: checking and changing the passphrase, a new
//! recovery key, and a new data key with every record and audit entry resealed.

use super::audit::{AuditAction as Action, AuditAction, AuditEvent};
use super::header::{self, Header};
use super::store::{self, Keys, Table};
use super::unlock::check_new_passphrase;
use super::{Vault, attachments, audit, verify};
use crate::crypto::{KdfParams, RecoveryKey, SymmetricKey};
use crate::error::{Error, Result};

impl Vault {
    /// Checks that `passphrase` is the vault's current passphrase (before a change of
    /// passphrase, say), without touching the open vault.
    pub fn check_passphrase(&self, passphrase: &str) -> Result<()> {
        let current = Header::read(&self.conn)?.ok_or(Error::DamagedHeader {
            detail: "it is missing",
        })?;
        current.unwrap_with_passphrase(passphrase).map(drop)
    }

    /// Rewraps the data key under a new passphrase. Records are not re-encrypted;
    /// backups taken before keep opening with the passphrase of their day.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<()> {
        self.require_writable()?;
        check_new_passphrase(new_passphrase)?;
        let kdf = self.strengthened_kdf();
        let mut header = self.header.clone();
        header.wrap_for_passphrase(&self.keys.master, new_passphrase, kdf)?;
        self.replace_header(header, Action::PassphraseChanged)
    }

    /// The vault's key-derivation setting, strengthened to today's when it was made with
    /// a weaker one (below-floor settings only exist in test vaults and stay as they are).
    fn strengthened_kdf(&self) -> KdfParams {
        let current = self.header.kdf;
        if current.meets_floor()
            && u64::from(current.memory_kib) * u64::from(current.iterations)
                < u64::from(KdfParams::PRODUCTION.memory_kib)
                    * u64::from(KdfParams::PRODUCTION.iterations)
        {
            KdfParams::PRODUCTION
        } else {
            current
        }
    }

    /// Makes a new recovery key; the previous one stops working.
    pub fn regenerate_recovery_key(&mut self) -> Result<RecoveryKey> {
        self.require_writable()?;
        let recovery = RecoveryKey::generate()?;
        let mut header = self.header.clone();
        header.wrap_for_recovery(&self.keys.master, &recovery)?;
        self.replace_header(header, Action::RecoveryKeyReplaced)?;
        Ok(recovery)
    }

    /// Re-encrypts every record under a new data key, for a suspected compromise. The
    /// passphrase stays the same (it is asked for again, to wrap the new key) and a new
    /// recovery key replaces the old one. Backups taken before keep their old key and
    /// keep opening with the passphrase of their day. All or nothing.
    pub fn rotate_data_key(&mut self, passphrase: &str) -> Result<RecoveryKey> {
        self.require_writable()?;
        self.check_passphrase(passphrase)?;
        self.rekey(passphrase, self.header.kdf, Action::DataKeyRotated)
    }

    /// "Someone may know my passphrase": a new passphrase, a new data key (every record
    /// re-encrypted) and a new recovery key, in one transaction. It protects the vault
    /// and the copies made from now on; a copy made before still opens with the old
    /// passphrase and the old recovery key.
    pub fn replace_every_secret(
        &mut self,
        current_passphrase: &str,
        new_passphrase: &str,
    ) -> Result<RecoveryKey> {
        self.require_writable()?;
        self.check_passphrase(current_passphrase)?;
        check_new_passphrase(new_passphrase)?;
        let kdf = self.strengthened_kdf();
        self.rekey(new_passphrase, kdf, Action::SecretsReplaced)
    }

    /// A new data key wrapped under `passphrase`, every record and audit entry resealed
    /// under it, and a new recovery key: one transaction.
    fn rekey(&mut self, passphrase: &str, kdf: KdfParams, action: Action) -> Result<RecoveryKey> {
        let new_keys = Keys::new(
            &self.header.vault_id,
            SymmetricKey::generate()?,
            header::SealLayout::WithTrail,
        );
        let recovery = RecoveryKey::generate()?;
        let mut header = self.header.clone();
        header.wrap_for_passphrase(&new_keys.master, passphrase, kdf)?;
        header.wrap_for_recovery(&new_keys.master, &recovery)?;
        let tx = self.conn.transaction()?;
        // The stored header is checked under the old key before anything is re-sealed,
        // and every row against the trail: a rotation re-records every row as it is, so
        // a row put back or moved since the unlock's check would pass for genuine after.
        audit::current_head(&tx, &self.keys)?;
        let trail = audit::read(&tx, &self.keys)?;
        let against_trail = verify::check_rows_against_trail(&tx, &trail, &Default::default())?;
        if let Some(problem) = trail.problems.iter().chain(&against_trail).next() {
            return Err(audit::damaged(problem.clone()));
        }
        // An attachment's metadata names the digest of its chunks' sealed bytes, so
        // both are re-sealed together.
        attachments::reseal_all(&tx, &self.keys, &new_keys)?;
        for table in Table::ALL.into_iter().filter(|t| *t != Table::Attachments) {
            for (meta, sealed) in store::load_rows(&tx, table, None)? {
                let resealed = self.keys.reseal(&new_keys, table, &meta, &sealed)?;
                store::replace_sealed(&tx, table, &meta.id, &resealed)?;
            }
        }
        let head = audit::rekey(&tx, &self.keys, &new_keys)?;
        let mut events = vec![AuditEvent::new(action)];
        events.extend(audit::every_row_recorded_as(&tx, Action::Resealed)?);
        audit::append_with(&tx, &new_keys, header.clone(), head, &events)?;
        tx.commit()?;
        self.header = header;
        self.keys = new_keys;
        Ok(recovery)
    }

    /// Writes `header` (new key wraps) sealed with the trail, with its audit entry.
    fn replace_header(&mut self, header: Header, action: AuditAction) -> Result<()> {
        let tx = self.conn.transaction()?;
        let (_, head) = audit::current_head(&tx, &self.keys)?;
        audit::append_with(
            &tx,
            &self.keys,
            header.clone(),
            head,
            &[AuditEvent::new(action)],
        )?;
        tx.commit()?;
        self.header = header;
        Ok(())
    }
}
