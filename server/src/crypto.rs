//! Encryption at rest for CRM client secrets: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`), with a
//! random 24-byte nonce per secret (large enough that random nonces never repeat in practice).
//!
//! The key comes from `KOMO_SECRET_KEY` (32 bytes, base64) or, when unset, from `secret.key` in the data
//! directory, created with permissions 0600 on first start. Several instances on one PostgreSQL must share
//! the key, so they need `KOMO_SECRET_KEY`. Rotation: start with the new key in `KOMO_SECRET_KEY` and the old
//! one in `KOMO_SECRET_KEY_PREVIOUS`; start-up re-encrypts every stored secret with the new key, after which
//! the previous key can be removed.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;

const PREFIX: &str = "xc1:";
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("{var}: must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)")]
    BadKey { var: &'static str },
    #[error("could not read or create the key file {path}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored secret could not be decrypted with the configured key(s)")]
    Undecryptable,
}

/// The context a CRM connection's secret is sealed with: its workspace, so a sealed value copied into
/// another tenant's row does not open there.
pub fn connection_context(workspace_id: i64) -> Vec<u8> {
    format!("crm_connections/workspace:{workspace_id}").into_bytes()
}

pub struct SecretBox {
    current: XChaCha20Poly1305,
    previous: Option<XChaCha20Poly1305>,
}

impl SecretBox {
    /// From raw keys (tests).
    pub fn from_keys(current: [u8; 32], previous: Option<[u8; 32]>) -> Self {
        Self {
            current: XChaCha20Poly1305::new(&current.into()),
            previous: previous.map(|k| XChaCha20Poly1305::new(&k.into())),
        }
    }

    /// The key from `KOMO_SECRET_KEY`, or from (or into) `{data_dir}/secret.key`.
    ///
    /// # Errors
    /// A key that is not 32 base64 bytes (the variable is named), or a key file that cannot be read/written.
    pub fn load_or_create(
        env_key: Option<&SecretString>,
        env_previous: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<Self, CryptoError> {
        let previous = env_previous
            .map(|k| decode_key(k.expose_secret(), "KOMO_SECRET_KEY_PREVIOUS"))
            .transpose()?;
        let current = match env_key {
            Some(key) => decode_key(key.expose_secret(), "KOMO_SECRET_KEY")?,
            None => key_from_file(&data_dir.join("secret.key"))?,
        };
        Ok(Self::from_keys(current, previous))
    }

    /// Encrypts `plain`, bound to `context` (e.g. the workspace and connection it belongs to), so a sealed
    /// value copied into another row does not decrypt there.
    pub fn seal(&self, plain: &str, context: &[u8]) -> String {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        // Encryption with a valid key and nonce cannot fail for inputs this size; the error type is opaque.
        let sealed = self
            .current
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: context,
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce_bytes.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", B64.encode(bytes))
    }

    /// Decrypts with the current key, or the previous one during a rotation. The `bool` is true when the
    /// previous key was needed, so the caller can re-seal.
    ///
    /// # Errors
    /// [`CryptoError::Undecryptable`] for a wrong key, wrong context or damaged value.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<(SecretString, bool), CryptoError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b64| B64.decode(b64).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(CryptoError::Undecryptable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = XNonce::from_slice(nonce);
        let payload = || Payload {
            msg: ciphertext,
            aad: context,
        };
        let (plain, used_previous) = match self.current.decrypt(nonce, payload()) {
            Ok(plain) => (plain, false),
            Err(_) => {
                let previous = self.previous.as_ref().ok_or(CryptoError::Undecryptable)?;
                (
                    previous
                        .decrypt(nonce, payload())
                        .map_err(|_| CryptoError::Undecryptable)?,
                    true,
                )
            }
        };
        let text = String::from_utf8(plain).map_err(|_| CryptoError::Undecryptable)?;
        Ok((SecretString::from(text), used_previous))
    }
}

fn decode_key(b64: &str, var: &'static str) -> Result<[u8; 32], CryptoError> {
    B64.decode(b64.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or(CryptoError::BadKey { var })
}

fn key_from_file(path: &Path) -> Result<[u8; 32], CryptoError> {
    let io = |source| CryptoError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => decode_key(&text, "secret.key"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            write_private(path, &B64.encode(key)).map_err(io)?;
            tracing::info!(path = %path.display(), "created a new encryption key file");
            Ok(key)
        }
        Err(e) => Err(io(e)),
    }
}

/// Creates the file readable by its owner only, from the first byte (no window with wider permissions).
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let secrets = SecretBox::from_keys([7; 32], None);
        let sealed = secrets.seal("s3cret value", b"ws:1/conn:2");
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("s3cret"));
        let (plain, rotated) = secrets.open(&sealed, b"ws:1/conn:2").expect("opens");
        assert_eq!(plain.expose_secret(), "s3cret value");
        assert!(!rotated);
        assert!(
            secrets.open(&sealed, b"ws:2/conn:2").is_err(),
            "another row's context"
        );
        assert!(
            SecretBox::from_keys([8; 32], None)
                .open(&sealed, b"ws:1/conn:2")
                .is_err(),
            "another key"
        );
        assert_ne!(
            sealed,
            secrets.seal("s3cret value", b"ws:1/conn:2"),
            "fresh nonce each time"
        );
    }

    #[test]
    fn during_rotation_the_previous_key_still_opens_and_says_so() {
        let old = SecretBox::from_keys([1; 32], None);
        let sealed = old.seal("old secret", b"ctx");
        let rotating = SecretBox::from_keys([2; 32], Some([1; 32]));
        let (plain, used_previous) = rotating.open(&sealed, b"ctx").expect("previous key opens");
        assert_eq!(plain.expose_secret(), "old secret");
        assert!(used_previous);
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = SecretBox::load_or_create(None, None, dir.path()).expect("created");
        let sealed = first.seal("x", b"c");
        let second = SecretBox::load_or_create(None, None, dir.path()).expect("reused");
        assert!(second.open(&sealed, b"c").is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_bad_key_variable_is_named() {
        let err =
            SecretBox::load_or_create(Some(&SecretString::from("short")), None, Path::new("."))
                .err()
                .expect("refused");
        assert!(err.to_string().starts_with("KOMO_SECRET_KEY:"), "{err}");
    }
}
