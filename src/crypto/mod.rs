//! Sealing and opening of every clinical record.
//!
//! Threat model (the whole of it is in docs/SECURITY.md): someone who obtains the vault
//! file, a backup, or the disk must learn nothing clinical from it, and someone who can
//! edit the file must not be able to make the app show altered, moved or swapped data as
//! valid. We do not defend against an attacker who controls the running, unlocked app.
//!
//! Invariants:
//! - every record is sealed with AES-256-GCM under the vault's data key, with a fresh
//!   random 96-bit nonce per seal (at most a few million seals per vault over its life,
//!   far below the 2^32 bound for random nonces);
//! - the associated data binds the ciphertext to the vault id, the table, the record id,
//!   every plaintext column of the row and the format version, so a ciphertext only
//!   opens in the exact place it was written;
//! - raw key bytes live only in zeroizing buffers; ring's expanded keys are dropped with
//!   the [`DataKey`] on lock.

mod kdf;
mod recovery;

pub use kdf::{KdfParams, KdfParamsProblem, Passphrase};
pub use recovery::RecoveryKey;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Version of the sealed-blob layout and of the associated-data encoding. Kept apart
/// from the database schema version: the two change for different reasons.
pub const CRYPTO_FORMAT_VERSION: u8 = 1;

const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// A sealed value failed to open. Deliberately says nothing about why (wrong key,
/// altered bytes, moved ciphertext): callers turn it into a message naming the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the data did not authenticate")]
pub struct Unauthentic;

/// The operating system's random source failed; nothing can be sealed safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system's random number generator failed")]
pub struct RandomFailure;

/// Fills a buffer from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, RandomFailure> {
    let mut bytes = Zeroizing::new([0u8; N]);
    SystemRandom::new()
        .fill(bytes.as_mut())
        .map_err(|_| RandomFailure)?;
    Ok(bytes)
}

/// An AES-256-GCM key with its raw bytes held in a zeroizing buffer. No `Clone`,
/// `Debug` or `Serialize`: the bytes leave this type only through
/// [`SymmetricKey::dangerously_expose_bytes`], used to wrap the data key.
pub struct SymmetricKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    aead: LessSafeKey,
}

impl SymmetricKey {
    fn from_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        // AES_256_GCM accepts any 32-byte key; a failure here is a programming error
        // that cannot depend on user data.
        let unbound = UnboundKey::new(&AES_256_GCM, bytes.as_ref())
            .unwrap_or_else(|_| unreachable!("a 32-byte key is always valid for AES-256-GCM"));
        SymmetricKey {
            bytes,
            aead: LessSafeKey::new(unbound),
        }
    }

    /// A fresh random key (used for a new vault's data key).
    pub fn generate() -> Result<Self, RandomFailure> {
        Ok(Self::from_bytes(random_bytes::<KEY_LEN>()?))
    }

    /// A key derived from this one with HKDF-SHA256 (`salt`, `info`): the same input
    /// always gives the same key, and the derived key reveals nothing of this one.
    pub(crate) fn derive(&self, salt: &[u8], info: &[u8]) -> Self {
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(self.bytes.as_ref());
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        let info: &[&[u8]] = &[info];
        prk.expand(info, ring::hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(bytes.as_mut()))
            .unwrap_or_else(|_| unreachable!("32 bytes is within HKDF-SHA256's output limit"));
        Self::from_bytes(bytes)
    }

    /// A second handle on the same key, for a reader on its own connection (the
    /// background `verify`). Deliberately not `Clone`, so every copy is visible.
    pub(crate) fn duplicate(&self) -> Self {
        Self::from_bytes(self.bytes.clone())
    }

    /// The raw key bytes, for wrapping under a key-encryption key only.
    pub fn dangerously_expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// Seals `plaintext`: `version || nonce || ciphertext || tag`.
    pub fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Vec<u8>, RandomFailure> {
        let nonce_bytes = random_bytes::<NONCE_LEN>()?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(CRYPTO_FORMAT_VERSION);
        out.extend_from_slice(nonce_bytes.as_ref());
        let mut in_out = plaintext.to_vec();
        let nonce = Nonce::assume_unique_for_key(*nonce_bytes);
        self.aead
            .seal_in_place_append_tag(nonce, Aad::from(associated_data), &mut in_out)
            .map_err(|_| RandomFailure)?;
        out.extend_from_slice(&in_out);
        in_out.iter_mut().for_each(|b| *b = 0);
        Ok(out)
    }

    /// Opens a value sealed by [`SymmetricKey::seal`] with the same associated data.
    /// The plaintext comes back in a zeroizing buffer.
    pub fn open(
        &self,
        sealed: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Unauthentic> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != CRYPTO_FORMAT_VERSION {
            return Err(Unauthentic);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
        let mut buffer = Zeroizing::new(sealed[1 + NONCE_LEN..].to_vec());
        let plain_len = self
            .aead
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data),
                buffer.as_mut_slice(),
            )
            .map_err(|_| Unauthentic)?
            .len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }

    /// Wraps (seals) another key under this one.
    pub fn wrap(
        &self,
        key: &SymmetricKey,
        associated_data: &[u8],
    ) -> Result<Vec<u8>, RandomFailure> {
        self.seal(key.dangerously_expose_bytes(), associated_data)
    }

    /// Unwraps a key sealed by [`SymmetricKey::wrap`].
    pub fn unwrap_key(
        &self,
        wrapped: &[u8],
        associated_data: &[u8],
    ) -> Result<SymmetricKey, Unauthentic> {
        let opened = self.open(wrapped, associated_data)?;
        let bytes: [u8; KEY_LEN] = opened.as_slice().try_into().map_err(|_| Unauthentic)?;
        Ok(SymmetricKey::from_bytes(Zeroizing::new(bytes)))
    }
}

/// Builds unambiguous associated data: a domain label followed by length-prefixed
/// fields, so that no two different field lists encode to the same bytes.
#[derive(Debug, Default)]
pub struct AssociatedData {
    bytes: Vec<u8>,
}

impl AssociatedData {
    /// Starts associated data for the given purpose (`"record"`, `"key-wrap"`…).
    pub fn new(purpose: &str) -> Self {
        let mut ad = AssociatedData {
            bytes: Vec::with_capacity(160),
        };
        ad.push(b"kapnotes");
        ad.push(&[CRYPTO_FORMAT_VERSION]);
        ad.push(purpose.as_bytes());
        ad
    }

    /// Appends one field.
    pub fn field(mut self, value: &[u8]) -> Self {
        self.push(value);
        self
    }

    fn push(&mut self, value: &[u8]) {
        self.bytes
            .extend_from_slice(&(value.len() as u32).to_be_bytes());
        self.bytes.extend_from_slice(value);
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Computed independently with Python's `cryptography` package.
    const KNOWN_ANSWER_HEX: &str =
        "0100000000000000000000000009bdc8de94b18f36d619229057015b920516cc4590";

    #[test]
    fn associated_data_wire_format_is_stable() {
        let ad = AssociatedData::new("record").field(b"ab").field(b"");
        assert_eq!(
            ad.as_bytes(),
            b"\0\0\0\x08kapnotes\0\0\0\x01\x01\0\0\0\x06record\0\0\0\x02ab\0\0\0\0"
        );
    }

    #[test]
    fn sealed_blob_layout_is_stable() {
        // A known-answer vector: AES-256-GCM, key 07×32, nonce 00×12, AD "ad",
        // plaintext "hello", laid out as version || nonce || ciphertext || tag.
        // If ring or our layout changed, existing vaults would stop opening.
        let key = SymmetricKey::from_bytes(Zeroizing::new([7u8; 32]));
        let vector = data_encoding::HEXLOWER
            .decode(KNOWN_ANSWER_HEX.as_bytes())
            .unwrap();
        assert_eq!(vector.len(), 1 + 12 + 5 + 16);
        assert_eq!(key.open(&vector, b"ad").unwrap().as_slice(), b"hello");
        let sealed = key.seal(b"hello", b"ad").unwrap();
        assert_eq!(sealed[0], CRYPTO_FORMAT_VERSION);
        assert_eq!(sealed.len(), vector.len());
    }

    #[test]
    fn nonces_are_fresh() {
        let key = SymmetricKey::generate().unwrap();
        let a = key.seal(b"same", b"ad").unwrap();
        let b = key.seal(b"same", b"ad").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn wrong_associated_data_or_key_fails() {
        let key = SymmetricKey::generate().unwrap();
        let other = SymmetricKey::generate().unwrap();
        let sealed = key.seal(b"note", b"row-1").unwrap();
        assert_eq!(key.open(&sealed, b"row-2").unwrap_err(), Unauthentic);
        assert_eq!(other.open(&sealed, b"row-1").unwrap_err(), Unauthentic);
        assert!(key.open(&sealed[..10], b"row-1").is_err());
    }

    proptest! {
        #[test]
        fn seal_open_round_trip(plain in proptest::collection::vec(any::<u8>(), 0..2048),
                                ad in proptest::collection::vec(any::<u8>(), 0..64)) {
            let key = SymmetricKey::generate().unwrap();
            let sealed = key.seal(&plain, &ad).unwrap();
            let opened = key.open(&sealed, &ad).unwrap();
            prop_assert_eq!(opened.as_slice(), plain.as_slice());
        }

        #[test]
        fn any_flipped_bit_is_detected(plain in proptest::collection::vec(any::<u8>(), 0..256),
                                       position in any::<usize>(), bit in 0u8..8) {
            let key = SymmetricKey::generate().unwrap();
            let mut sealed = key.seal(&plain, b"ad").unwrap();
            let at = position % sealed.len();
            sealed[at] ^= 1 << bit;
            prop_assert!(key.open(&sealed, b"ad").is_err());
        }
    }
}
