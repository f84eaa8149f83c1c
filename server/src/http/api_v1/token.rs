//! API tokens: 32 random bytes, shown once as `komo_<base64url>`, stored as their SHA-256.
//!
//! A plain hash (no salt, no argon2) is enough because the token is random, not chosen by a person:
//! nothing to guess from a leaked hash, and a lookup by hash stays one indexed query per request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "komo_";
/// How much of the token lists show: the prefix plus four characters.
const SHOWN: usize = PREFIX.len() + 4;

pub struct FreshToken {
    /// The token itself: give it to the caller once, never store or log it.
    pub token: String,
    pub hash: String,
    pub prefix: String,
}

pub fn generate() -> FreshToken {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    FreshToken {
        hash: hash(&token),
        prefix: token.chars().take(SHOWN).collect(),
        token,
    }
}

/// Lower-case hex SHA-256 of the token as given.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_their_hash_is_stable() {
        let a = generate();
        let b = generate();
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with("komo_") && a.token.len() > 40);
        assert_eq!(hash(&a.token), a.hash);
        assert_eq!(a.hash.len(), 64);
        assert!(a.token.starts_with(&a.prefix));
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
