//! Passphrase → key-encryption key, with Argon2id.
//!
//! The parameters are explicit, stored in the vault header, and checked against a floor
//! (OWASP's minimum for Argon2id: 19 MiB, 2 passes) and a ceiling (so a crafted file
//! cannot make unlocking hang or exhaust memory) every time a vault is opened. They are
//! never taken from the argon2 crate's `Default`, which may change between versions.

use super::SymmetricKey;
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

/// A passphrase held in a zeroizing buffer.
pub type Passphrase = Zeroizing<String>;

/// Argon2id cost parameters as stored in a vault header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Why a set of stored KDF parameters is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfParamsProblem {
    BelowFloor,
    AboveCeiling,
}

impl KdfParams {
    /// What new vaults use: about half a second on a 2-core laptop (measured in
    /// docs/BENCHMARKS.md), well above the floor.
    pub const PRODUCTION: KdfParams = KdfParams {
        memory_kib: 128 * 1024,
        iterations: 5,
        parallelism: 1,
    };

    /// OWASP's minimum recommendation for Argon2id (m = 19 MiB, t = 2, p = 1).
    pub const FLOOR: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Beyond this a vault would take minutes or gigabytes to open: refuse it.
    pub const CEILING: KdfParams = KdfParams {
        memory_kib: 1024 * 1024,
        iterations: 16,
        parallelism: 8,
    };

    /// Deliberately weak parameters that let the test suite create many vaults quickly.
    /// Only reachable with the `test-support` feature; release builds refuse to open
    /// vaults made with them.
    #[cfg(any(test, feature = "test-support"))]
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// Checks stored parameters before any work is done with them.
    pub fn check(&self) -> Result<(), KdfParamsProblem> {
        let c = Self::CEILING;
        if self.memory_kib > c.memory_kib
            || self.iterations > c.iterations
            || self.parallelism > c.parallelism
        {
            return Err(KdfParamsProblem::AboveCeiling);
        }
        if self.parallelism == 0 || self.iterations == 0 || self.memory_kib < 8 * self.parallelism {
            return Err(KdfParamsProblem::BelowFloor);
        }
        // Debug builds (the test suite) accept the cheap test parameters; a shipped
        // build never opens a vault whose passphrase is protected below the floor.
        if !cfg!(debug_assertions) && !self.meets_floor() {
            return Err(KdfParamsProblem::BelowFloor);
        }
        Ok(())
    }

    /// Whether these parameters are at least OWASP's minimum.
    pub fn meets_floor(&self) -> bool {
        self.memory_kib >= Self::FLOOR.memory_kib && self.iterations >= Self::FLOOR.iterations
    }

    /// Derives the key-encryption key for `passphrase` and `salt`.
    pub fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<SymmetricKey, KdfParamsProblem> {
        self.check()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| KdfParamsProblem::BelowFloor)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
            .map_err(|_| KdfParamsProblem::BelowFloor)?;
        Ok(SymmetricKey::from_bytes(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_parameters_meet_the_floor() {
        assert!(KdfParams::PRODUCTION.meets_floor());
        assert!(KdfParams::PRODUCTION.check().is_ok());
    }

    #[test]
    fn parameters_above_the_ceiling_are_refused() {
        let huge = KdfParams {
            memory_kib: 4 * 1024 * 1024,
            ..KdfParams::PRODUCTION
        };
        assert_eq!(huge.check(), Err(KdfParamsProblem::AboveCeiling));
        let slow = KdfParams {
            iterations: 1000,
            ..KdfParams::PRODUCTION
        };
        assert_eq!(slow.check(), Err(KdfParamsProblem::AboveCeiling));
    }

    #[test]
    fn derivation_is_deterministic_and_salted() {
        let p = KdfParams::INSECURE_FOR_TESTS;
        let a = p.derive("correct horse", b"salt-salt-salt-1").unwrap();
        let b = p.derive("correct horse", b"salt-salt-salt-1").unwrap();
        let c = p.derive("correct horse", b"salt-salt-salt-2").unwrap();
        assert_eq!(a.dangerously_expose_bytes(), b.dangerously_expose_bytes());
        assert_ne!(a.dangerously_expose_bytes(), c.dangerously_expose_bytes());
    }
}
