//! Signing in and out. An unknown email and a wrong password fail alike, and repeated failures lock the
//! email for a while (`auth::throttle`), so the form tells an attacker nothing and slows a guesser down.

use super::{internal, RequestBackend};
use crate::auth::{password, throttle, SESSION_USER_ID};
use crate::storage::now_unix;
use app::api::session::SessionBackend;
use app::error::ApiError;
use secrecy::SecretString;
use shared::{EmailAddress, Me};

#[async_trait::async_trait]
impl SessionBackend for RequestBackend {
    async fn me(&self) -> Result<Option<Me>, ApiError> {
        self.caller().await
    }

    #[tracing::instrument(skip_all)]
    async fn sign_in(&self, email: String, password: String) -> Result<Me, ApiError> {
        // An unparseable email is just another wrong credential: one message for every failure.
        let email = EmailAddress::parse(&email).map_err(|_| ApiError::WrongCredentials)?;
        let now = now_unix();
        let locked_until = self.storage.sign_in_locked_until(&email).await?;
        if locked_until > now {
            return Err(ApiError::TooManyAttempts {
                retry_after_secs: u64::try_from(locked_until - now).unwrap_or(1),
            });
        }
        let credentials = self.storage.find_credentials(&email).await?;
        let (user_id, hash) = match credentials {
            Some(c) => (Some(c.user_id), Some(c.password_hash)),
            None => (None, None),
        };
        let matches = password::verify(SecretString::from(password), hash)
            .await
            .map_err(internal)?;
        let Some(user_id) = user_id.filter(|_| matches) else {
            let failures = self.storage.record_sign_in_failure(&email).await?;
            let lock = throttle::lock_seconds(failures);
            if lock > 0 {
                self.storage.lock_sign_in(&email, now + lock).await?;
            }
            tracing::info!(failures, lock_seconds = lock, "sign-in failed");
            return Err(ApiError::WrongCredentials);
        };
        self.storage.clear_sign_in_failures(&email).await?;
        // A new session id at sign-in, so an id planted before sign-in is worthless after it.
        self.session.cycle_id().await.map_err(internal)?;
        self.session
            .insert(SESSION_USER_ID, user_id)
            .await
            .map_err(internal)?;
        tracing::info!(user_id, "signed in");
        let me = self
            .storage
            .find_member(user_id)
            .await?
            .ok_or(ApiError::WrongCredentials)?;
        let _ = self.caller.set(Some(me.clone()));
        Ok(me)
    }

    async fn sign_out(&self) -> Result<(), ApiError> {
        self.session.flush().await.map_err(internal)
    }

    async fn require_super_user(&self) -> Result<(), ApiError> {
        self.super_user().await.map(|_| ())
    }
}
