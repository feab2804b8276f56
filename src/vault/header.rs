//! The vault header: the vault id, the key-derivation parameters, and the data key
//! wrapped twice (under the passphrase and under the recovery key).
//!
//! Invariants: the passphrase wrap's associated data binds the vault id, the KDF
//! parameters and the salt, so weakening the parameters in the file makes unlocking
//! fail rather than succeed faster. A `header_seal` (a digest of every header column,
//! sealed under the data key) lets an unlocked vault detect any other edit to the
//! header, such as a swapped recovery wrap.

use crate::crypto::{
    AssociatedData, CRYPTO_FORMAT_VERSION, KdfParams, RecoveryKey, SymmetricKey, random_bytes,
};
use crate::error::{Error, Result};
use crate::vault::kdf_problem;
use ring::digest::{SHA256, digest};
use rusqlite::{Connection, OptionalExtension, params};

pub struct Header {
    pub vault_id: String,
    pub crypto_version: i64,
    pub kdf: KdfParams,
    pub passphrase_salt: Vec<u8>,
    pub passphrase_wrapped_key: Vec<u8>,
    pub recovery_wrapped_key: Vec<u8>,
    pub header_seal: Vec<u8>,
}

impl Header {
    /// A header for a new vault whose data key is `data_key`.
    pub fn new(
        data_key: &SymmetricKey,
        passphrase: &str,
        kdf: KdfParams,
        recovery: &RecoveryKey,
    ) -> Result<Header> {
        let mut header = Header {
            vault_id: uuid::Uuid::new_v4().to_string(),
            crypto_version: i64::from(CRYPTO_FORMAT_VERSION),
            kdf,
            passphrase_salt: Vec::new(),
            passphrase_wrapped_key: Vec::new(),
            recovery_wrapped_key: Vec::new(),
            header_seal: Vec::new(),
        };
        header.wrap_for_passphrase(data_key, passphrase, kdf)?;
        header.wrap_for_recovery(data_key, recovery)?;
        Ok(header)
    }

    pub fn read(conn: &Connection) -> Result<Option<Header>> {
        let header = conn
            .query_row(
                "SELECT vault_id, crypto_version, kdf_memory_kib, kdf_iterations, kdf_parallelism,
                        passphrase_salt, passphrase_wrapped_key, recovery_wrapped_key, header_seal
                 FROM vault_header WHERE singleton = 1",
                [],
                |r| {
                    Ok(Header {
                        vault_id: r.get(0)?,
                        crypto_version: r.get(1)?,
                        kdf: KdfParams {
                            memory_kib: r.get(2)?,
                            iterations: r.get(3)?,
                            parallelism: r.get(4)?,
                        },
                        passphrase_salt: r.get(5)?,
                        passphrase_wrapped_key: r.get(6)?,
                        recovery_wrapped_key: r.get(7)?,
                        header_seal: r.get(8)?,
                    })
                },
            )
            .optional()?;
        Ok(header)
    }

    pub fn write(&self, conn: &Connection) -> Result<()> {
        conn.execute(
            // An upsert, not INSERT OR REPLACE: the audit trail's head lives in the same
            // row and must survive a new passphrase or recovery key.
            "INSERT INTO vault_header (singleton, vault_id, crypto_version, kdf_memory_kib,
                 kdf_iterations, kdf_parallelism, passphrase_salt, passphrase_wrapped_key,
                 recovery_wrapped_key, header_seal)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(singleton) DO UPDATE SET vault_id = excluded.vault_id,
                 crypto_version = excluded.crypto_version,
                 kdf_memory_kib = excluded.kdf_memory_kib,
                 kdf_iterations = excluded.kdf_iterations,
                 kdf_parallelism = excluded.kdf_parallelism,
                 passphrase_salt = excluded.passphrase_salt,
                 passphrase_wrapped_key = excluded.passphrase_wrapped_key,
                 recovery_wrapped_key = excluded.recovery_wrapped_key,
                 header_seal = excluded.header_seal",
            params![
                self.vault_id,
                self.crypto_version,
                self.kdf.memory_kib,
                self.kdf.iterations,
                self.kdf.parallelism,
                self.passphrase_salt,
                self.passphrase_wrapped_key,
                self.recovery_wrapped_key,
                self.header_seal,
            ],
        )?;
        Ok(())
    }

    /// Refuses a header this build cannot or must not use, before any key work.
    pub fn check_format(&self) -> Result<()> {
        if self.crypto_version > i64::from(CRYPTO_FORMAT_VERSION) {
            return Err(Error::NewerFormat {
                found: self.crypto_version,
                supported: i64::from(CRYPTO_FORMAT_VERSION),
            });
        }
        if self.crypto_version != i64::from(CRYPTO_FORMAT_VERSION) {
            return Err(Error::DamagedHeader {
                detail: "unknown encryption format",
            });
        }
        if !crate::records::is_valid_id(&self.vault_id) {
            return Err(Error::DamagedHeader {
                detail: "the vault id is malformed",
            });
        }
        self.kdf.check().map_err(kdf_problem)
    }

    fn passphrase_wrap_ad(&self) -> AssociatedData {
        AssociatedData::new("key-wrap")
            .field(self.vault_id.as_bytes())
            .field(b"passphrase")
            .field(&self.kdf.memory_kib.to_be_bytes())
            .field(&self.kdf.iterations.to_be_bytes())
            .field(&self.kdf.parallelism.to_be_bytes())
            .field(&self.passphrase_salt)
    }

    fn recovery_wrap_ad(&self) -> AssociatedData {
        AssociatedData::new("key-wrap")
            .field(self.vault_id.as_bytes())
            .field(b"recovery")
    }

    fn seal_ad(&self) -> AssociatedData {
        AssociatedData::new("header-seal").field(self.vault_id.as_bytes())
    }

    /// A digest of every header column but the seal itself.
    fn digest(&self) -> Vec<u8> {
        let fields = self
            .passphrase_wrap_ad()
            .field(&self.crypto_version.to_be_bytes())
            .field(&self.passphrase_wrapped_key)
            .field(&self.recovery_wrapped_key);
        digest(&SHA256, fields.as_bytes()).as_ref().to_vec()
    }

    fn reseal(&mut self, data_key: &SymmetricKey) -> Result<()> {
        self.header_seal = data_key.seal(&self.digest(), self.seal_ad().as_bytes())?;
        Ok(())
    }

    /// Checks that no header column was edited since the data key last sealed it.
    pub fn check_seal(&self, data_key: &SymmetricKey) -> Result<()> {
        let damaged = Error::DamagedHeader {
            detail: "its seal does not match",
        };
        let opened = data_key
            .open(&self.header_seal, self.seal_ad().as_bytes())
            .map_err(|_| Error::DamagedHeader {
                detail: "its seal does not open",
            })?;
        if opened.as_slice() != self.digest().as_slice() {
            return Err(damaged);
        }
        Ok(())
    }

    /// Wraps the data key under a new passphrase with a fresh salt.
    pub fn wrap_for_passphrase(
        &mut self,
        data_key: &SymmetricKey,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<()> {
        self.kdf = kdf;
        self.passphrase_salt = random_bytes::<16>()?.to_vec();
        let kek = kdf
            .derive(passphrase, &self.passphrase_salt)
            .map_err(kdf_problem)?;
        self.passphrase_wrapped_key = kek.wrap(data_key, self.passphrase_wrap_ad().as_bytes())?;
        self.reseal(data_key)
    }

    /// Wraps the data key under a (new) recovery key; the previous one stops working.
    pub fn wrap_for_recovery(
        &mut self,
        data_key: &SymmetricKey,
        recovery: &RecoveryKey,
    ) -> Result<()> {
        let kek = recovery.key_encryption_key(self.vault_id.as_bytes());
        self.recovery_wrapped_key = kek.wrap(data_key, self.recovery_wrap_ad().as_bytes())?;
        self.reseal(data_key)
    }

    pub fn unwrap_with_passphrase(&self, passphrase: &str) -> Result<SymmetricKey> {
        let kek = self
            .kdf
            .derive(passphrase, &self.passphrase_salt)
            .map_err(kdf_problem)?;
        let data_key = kek
            .unwrap_key(
                &self.passphrase_wrapped_key,
                self.passphrase_wrap_ad().as_bytes(),
            )
            .map_err(|_| Error::WrongPassphrase)?;
        self.check_seal(&data_key)?;
        Ok(data_key)
    }

    pub fn unwrap_with_recovery_key(&self, recovery: &RecoveryKey) -> Result<SymmetricKey> {
        let kek = recovery.key_encryption_key(self.vault_id.as_bytes());
        let data_key = kek
            .unwrap_key(
                &self.recovery_wrapped_key,
                self.recovery_wrap_ad().as_bytes(),
            )
            .map_err(|_| Error::WrongRecoveryKey)?;
        self.check_seal(&data_key)?;
        Ok(data_key)
    }
}
