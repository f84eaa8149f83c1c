//! Argon2id password hashing. Hashing is deliberately slow, so it never runs on an async worker thread,
//! and it takes 19 MiB, so it runs on a few threads of its own ([`on_hasher`]) rather than on tokio's
//! blocking pool.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};
use std::sync::LazyLock;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the password hashing thread gave no answer")]
    Hasher,
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads: one per core, taking jobs from one queue.
///
/// Why not `spawn_blocking`: glibc keeps the memory a thread frees in that thread's arena. Hashes spread
/// over the blocking pool's many threads each leave their 19 MiB behind on their thread, up to eight arenas
/// per core, so a flood grew the process by hundreds of MiB even with few hashes at a time. A fixed set of
/// threads reuses the same few blocks. How many run at once is bounded by `auth::gate` before a job gets
/// here; this queue only holds what the gate let through.
static HASHERS: LazyLock<std::sync::mpsc::Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    for i in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("password-hash-{i}"))
            .spawn(move || loop {
                let job = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                match job {
                    // A panicking hash drops its answer (the caller gets `Hasher`); the thread lives on.
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => return,
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start a password hashing thread");
        }
    }
    jobs
});

/// Runs `work` on a hashing thread and waits for its answer.
async fn on_hasher<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    HASHERS
        .send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .map_err(|_| PasswordError::Hasher)?;
    answered.await.map_err(|_| PasswordError::Hasher)
}

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
///
/// # Errors
/// Only if the hasher itself fails.
pub async fn hash(password: SecretString) -> Result<String, PasswordError> {
    on_hasher(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(PasswordError::Hash)
    })
    .await?
}

/// A hash of nothing in particular, checked when the email is unknown so that a wrong email takes as long
/// as a wrong password and response times do not reveal which accounts exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"not a real password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Checks `password` against `stored` (or against a dummy hash when there is no such user).
///
/// # Errors
/// Only if the hashing thread fails; a wrong password is `Ok(false)`.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, PasswordError> {
    on_hasher(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.expose_secret().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && matches
    })
    .await
}

/// A password for the first super user when none was configured: 20 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), about 115 bits.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let stored = hash(SecretString::from("correct horse battery"))
            .await
            .expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(
            SecretString::from("correct horse battery"),
            Some(stored.clone())
        )
        .await
        .expect("verify"));
        assert!(
            !verify(SecretString::from("wrong horse battery"), Some(stored))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify(SecretString::from("not a real password"), None)
            .await
            .expect("verify"));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate();
        assert_eq!(a.len(), 20);
        assert!(a.len() >= shared::MIN_PASSWORD_LEN);
        assert_ne!(a, generate());
    }
}
