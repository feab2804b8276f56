//! The vault header: the vault id, the key-derivation parameters, and the data key
//! wrapped twice (under the passphrase and under the recovery key).
//!
//! Invariants: the passphrase wrap's associated data binds the vault id, the KDF
//! parameters and the salt, so weakening the parameters in the file makes unlocking
//! fail rather than succeed faster. A `header_seal` (a digest of every header column,
//! sealed under the data key) lets an unlocked vault detect any other edit to the
//! header, such as a swapped recovery wrap. From format 3 on, that seal also holds the
//! audit trail's length and last mac, the schema version and a generation counter that
//! every write raises, so an older header (or an older trail head) cannot be put back
//! into a newer file unnoticed.

use crate::crypto::{
    AssociatedData, CRYPTO_FORMAT_VERSION, KdfParams, KdfParamsProblem, RecoveryKey, SymmetricKey,
    random_bytes,
};
use crate::error::{Error, Result};
use ring::digest::{SHA256, digest};
use rusqlite::{Connection, OptionalExtension, params};

/// How the header seal is laid out. The layout follows the schema version in the file,
/// and each layout opens only with its own associated data, so changing the recorded
/// version (in either direction) makes the seal fail to open rather than be misread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealLayout {
    /// Formats 1 and 2: a digest of the header columns alone (the trail's head, in
    /// format 2, was sealed apart in `audit_head`).
    ColumnsOnly,
    /// Format 3 on: the header columns, the schema version, the audit trail's length
    /// and last mac, and a generation counter raised by every write, sealed together,
    /// so no part of an older file can be mixed into a newer one.
    WithTrail,
}

/// The first schema version whose header seal carries the audit trail's head.
pub const TRAIL_IN_HEADER_SINCE: i64 = 3;

/// The audit trail's head as the header seal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailHead {
    /// How many entries the trail has.
    pub length: u64,
    /// The mac of the newest entry (all zeros for an empty trail).
    pub mac: Vec<u8>,
    /// How many writes the vault has seen since it had this layout.
    pub generation: u64,
}

const DIGEST_LEN: usize = 32;
const MAC_LEN: usize = 32;
const STATE_LEN: usize = DIGEST_LEN + 8 + 8 + 8 + MAC_LEN;

#[derive(Clone)]
pub struct Header {
    pub vault_id: String,
    pub crypto_version: i64,
    pub kdf: KdfParams,
    pub passphrase_salt: Vec<u8>,
    pub passphrase_wrapped_key: Vec<u8>,
    pub recovery_wrapped_key: Vec<u8>,
    pub header_seal: Vec<u8>,
    pub layout: SealLayout,
    /// The schema version of the file the header was read from (or is written for).
    pub schema_version: i64,
}

/// A stored key-derivation setting kapnotes will not use, as damage to the header.
fn kdf_problem(problem: KdfParamsProblem) -> Error {
    Error::DamagedHeader {
        detail: match problem {
            KdfParamsProblem::BelowFloor => {
                "its passphrase protection is weaker than kapnotes allows"
            }
            KdfParamsProblem::AboveCeiling => {
                "its passphrase protection would take too long to unlock"
            }
        },
    }
}

impl Header {
    /// A header for a new vault whose data key is `data_key`. Its seal is written with
    /// the first audit entry ([`super::audit::start`]).
    pub fn new(
        data_key: &SymmetricKey,
        passphrase: &str,
        kdf: KdfParams,
        recovery: &RecoveryKey,
        schema_version: i64,
    ) -> Result<Header> {
        let mut header = Header {
            vault_id: uuid::Uuid::new_v4().to_string(),
            crypto_version: i64::from(CRYPTO_FORMAT_VERSION),
            kdf,
            passphrase_salt: Vec::new(),
            passphrase_wrapped_key: Vec::new(),
            recovery_wrapped_key: Vec::new(),
            header_seal: Vec::new(),
            layout: SealLayout::WithTrail,
            schema_version,
        };
        header.wrap_for_passphrase(data_key, passphrase, kdf)?;
        header.wrap_for_recovery(data_key, recovery)?;
        Ok(header)
    }

    pub fn read(conn: &Connection) -> Result<Option<Header>> {
        let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let layout = if schema_version >= TRAIL_IN_HEADER_SINCE {
            SealLayout::WithTrail
        } else {
            SealLayout::ColumnsOnly
        };
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
                        layout,
                        schema_version,
                    })
                },
            )
            .optional()
            .map_err(|e| match e {
                // A column of the wrong type (a blob made text, a number made a blob)
                // is an edited header, not a storage failure.
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..) => Error::DamagedHeader {
                    detail: "a column holds a value of the wrong kind",
                },
                other => Error::Storage(other),
            })?;
        Ok(header)
    }

    pub fn write(&self, conn: &Connection) -> Result<()> {
        conn.execute(
            // An upsert, not INSERT OR REPLACE: a format-2 file keeps its old trail head
            // in the same row until the upgrade to format 3 clears it.
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

    fn columns_seal_ad(&self) -> AssociatedData {
        AssociatedData::new("header-seal").field(self.vault_id.as_bytes())
    }

    fn state_seal_ad(&self) -> AssociatedData {
        AssociatedData::new("header-state").field(self.vault_id.as_bytes())
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

    /// Checks that no header column was edited since it was last sealed, given the
    /// unwrapped master key.
    pub fn check_seal(&self, data_key: &SymmetricKey) -> Result<()> {
        match self.layout {
            SealLayout::ColumnsOnly => {
                let opened = data_key
                    .open(&self.header_seal, self.columns_seal_ad().as_bytes())
                    .map_err(|_| Error::DamagedHeader {
                        detail: "its seal does not open",
                    })?;
                if opened.as_slice() != self.digest().as_slice() {
                    return Err(Error::DamagedHeader {
                        detail: "its seal does not match",
                    });
                }
                Ok(())
            }
            SealLayout::WithTrail => {
                let keys =
                    super::store::Keys::new(&self.vault_id, data_key.duplicate(), self.layout);
                self.trail_head(&keys.data_key).map(drop)
            }
        }
    }

    /// The audit trail's head sealed with the header, after checking the header columns
    /// and the schema version against the seal (`data_key`: the records key, see
    /// `Keys`). `None` for the formats before 3.
    pub fn trail_head(&self, data_key: &SymmetricKey) -> Result<Option<TrailHead>> {
        if self.layout == SealLayout::ColumnsOnly {
            return Ok(None);
        }
        let opened = data_key
            .open(&self.header_seal, self.state_seal_ad().as_bytes())
            .map_err(|_| Error::DamagedHeader {
                detail: "its seal does not open",
            })?;
        let mismatch = Error::DamagedHeader {
            detail: "its seal does not match",
        };
        if opened.len() != STATE_LEN || opened[..DIGEST_LEN] != self.digest()[..] {
            return Err(mismatch);
        }
        let number = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&opened[at..at + 8]);
            u64::from_be_bytes(bytes)
        };
        if number(DIGEST_LEN) != self.schema_version as u64 {
            return Err(Error::DamagedHeader {
                detail: "its recorded format was changed",
            });
        }
        Ok(Some(TrailHead {
            length: number(DIGEST_LEN + 8),
            generation: number(DIGEST_LEN + 16),
            mac: opened[DIGEST_LEN + 24..].to_vec(),
        }))
    }

    /// Seals the header columns together with the schema version and the trail's head
    /// (format 3 on). Every write to the vault calls this through the audit trail.
    pub fn seal_with_trail(&mut self, data_key: &SymmetricKey, head: &TrailHead) -> Result<()> {
        self.layout = SealLayout::WithTrail;
        let mut plain = Vec::with_capacity(STATE_LEN);
        plain.extend_from_slice(&self.digest());
        plain.extend_from_slice(&(self.schema_version as u64).to_be_bytes());
        plain.extend_from_slice(&head.length.to_be_bytes());
        plain.extend_from_slice(&head.generation.to_be_bytes());
        plain.extend_from_slice(&head.mac);
        self.header_seal = data_key.seal(&plain, self.state_seal_ad().as_bytes())?;
        Ok(())
    }

    /// Wraps the data key under a new passphrase with a fresh salt. The caller reseals
    /// the header (through the audit trail) in the same transaction.
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
        Ok(())
    }

    /// Wraps the data key under a (new) recovery key; the previous one stops working.
    /// The caller reseals the header (through the audit trail) in the same transaction.
    pub fn wrap_for_recovery(
        &mut self,
        data_key: &SymmetricKey,
        recovery: &RecoveryKey,
    ) -> Result<()> {
        let kek = recovery.key_encryption_key(self.vault_id.as_bytes());
        self.recovery_wrapped_key = kek.wrap(data_key, self.recovery_wrap_ad().as_bytes())?;
        Ok(())
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
