//! The recovery key: 160 random bits, written as eight groups of four base32 letters
//! and digits that a person can copy by hand (`ABCD-EFGH-…`). It is already
//! high-entropy, so it needs no slow KDF: HKDF-SHA256 turns it into the key that wraps
//! the data key a second time.

use super::{RandomFailure, SymmetricKey, random_bytes};
use data_encoding::BASE32_NOPAD;
use ring::hkdf;
use zeroize::Zeroizing;

const RECOVERY_BYTES: usize = 20;

/// A recovery key in memory. Shown once by `init`; never stored.
pub struct RecoveryKey {
    bytes: Zeroizing<[u8; RECOVERY_BYTES]>,
}

/// The text given is not a recovery key of the right shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedRecoveryKey;

impl RecoveryKey {
    pub fn generate() -> Result<Self, RandomFailure> {
        Ok(RecoveryKey {
            bytes: random_bytes::<RECOVERY_BYTES>()?,
        })
    }

    /// Reads a key as a person typed it: case, spaces and dashes do not matter, and the
    /// digits 0, 1 and 8 are read as the letters O, I and B they are easily taken for.
    pub fn parse(text: &str) -> Result<Self, MalformedRecoveryKey> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| match c.to_ascii_uppercase() {
                    '0' => 'O',
                    '1' => 'I',
                    '8' => 'B',
                    other => other,
                })
                .collect(),
        );
        let decoded = Zeroizing::new(
            BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|_| MalformedRecoveryKey)?,
        );
        let bytes: [u8; RECOVERY_BYTES] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| MalformedRecoveryKey)?;
        Ok(RecoveryKey {
            bytes: Zeroizing::new(bytes),
        })
    }

    /// The key as printed for the clinician: eight dash-separated groups of four.
    pub fn dangerously_reveal(&self) -> Zeroizing<String> {
        let plain = Zeroizing::new(BASE32_NOPAD.encode(self.bytes.as_ref()));
        let groups: Vec<&str> = plain
            .as_bytes()
            .chunks(4)
            .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
            .collect();
        Zeroizing::new(groups.join("-"))
    }

    /// The key-encryption key this recovery key stands for, bound to one vault.
    pub fn key_encryption_key(&self, vault_id: &[u8]) -> SymmetricKey {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, vault_id);
        let prk = salt.extract(self.bytes.as_ref());
        let info: &[&[u8]] = &[b"kapnotes recovery key v1"];
        let mut out = Zeroizing::new([0u8; 32]);
        // Expanding 32 bytes with SHA-256 is always within HKDF's limit.
        prk.expand(info, hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(out.as_mut()))
            .unwrap_or_else(|_| unreachable!("32 bytes is within HKDF-SHA256's output limit"));
        SymmetricKey::from_bytes(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_form_is_eight_groups_of_four() {
        let key = RecoveryKey::generate().unwrap();
        let shown = key.dangerously_reveal();
        let groups: Vec<&str> = shown.split('-').collect();
        assert_eq!(groups.len(), 8);
        assert!(groups.iter().all(|g| g.len() == 4));
    }

    #[test]
    fn parsing_forgives_case_spacing_and_lookalike_digits() {
        let key = RecoveryKey::generate().unwrap();
        let shown = key.dangerously_reveal().to_string();
        let sloppy = shown
            .to_lowercase()
            .replace('-', " ")
            .replace('o', "0")
            .replace('i', "1");
        let parsed = RecoveryKey::parse(&sloppy).unwrap();
        assert_eq!(parsed.bytes.as_ref(), key.bytes.as_ref());
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(RecoveryKey::parse("ABCD-EFGH").is_err());
        assert!(RecoveryKey::parse("!!!!-????").is_err());
        assert!(RecoveryKey::parse("").is_err());
    }

    #[test]
    fn recovery_kek_depends_on_vault() {
        let key = RecoveryKey::generate().unwrap();
        let a = key.key_encryption_key(b"vault-a");
        let b = key.key_encryption_key(b"vault-b");
        assert_ne!(a.dangerously_expose_bytes(), b.dangerously_expose_bytes());
    }
}
