//! Signing in and out, and changing one's own password. An unknown email and a wrong password fail alike,
//! and repeated failures lock the email and the client address for a while (`auth::throttle`), so the
//! form tells an attacker nothing and slows a guesser down. Every password check waits for a turn at the
//! hasher (`auth::gate`), so a flood costs bounded memory.

use super::{internal, RequestBackend};
use crate::auth::{password, throttle, SESSION_EPOCH, SESSION_USER_ID};
use crate::storage::throttle::Reservation;
use crate::storage::{now_unix, WorkspaceId};
use app::api::session::SessionBackend;
use app::error::ApiError;
use secrecy::SecretString;
use shared::{EmailAddress, Me, NewPassword};

#[async_trait::async_trait]
impl SessionBackend for RequestBackend {
    async fn me(&self) -> Result<Option<Me>, ApiError> {
        self.caller().await
    }

    #[tracing::instrument(skip_all)]
    async fn sign_in(&self, email: String, password: String) -> Result<Me, ApiError> {
        // A turn at the password hasher first: a flood is refused here, before it costs anything or
        // counts against anyone.
        let _turn = self.hash_gate.turn().await.map_err(|_| ApiError::Busy {
            retry_after_secs: 1,
        })?;
        let now = now_unix();
        let address = self.client.map(|ip| format!("address:{ip}"));
        if let Some(address) = &address {
            refuse_if_locked(
                self.storage
                    .reserve_sign_in(address, &throttle::PER_ADDRESS, now)
                    .await?,
                now,
            )?;
        }
        // An unparseable email is just another wrong credential: one message for every failure.
        let email = EmailAddress::parse(&email).map_err(|_| ApiError::WrongCredentials)?;
        let subject = format!("email:{}", email.as_str());
        refuse_if_locked(
            self.storage
                .reserve_sign_in(&subject, &throttle::PER_EMAIL, now)
                .await?,
            now,
        )?;
        let credentials = self.storage.find_credentials(&email).await?;
        let hash = credentials.as_ref().map(|c| c.password_hash.clone());
        let matches = password::verify(SecretString::from(password), hash)
            .await
            .map_err(internal)?;
        let credentials = match credentials {
            Some(c) if matches => c,
            // The attempt was counted when it was reserved.
            _ => {
                tracing::info!("sign-in failed");
                return Err(ApiError::WrongCredentials);
            }
        };
        self.storage.clear_sign_in(&subject).await?;
        if let Some(address) = &address {
            self.storage.give_back_sign_in(address).await?;
        }
        if credentials.disabled {
            // Only someone who knows the password learns the account is disabled.
            tracing::info!(user_id = credentials.user_id, "refused: disabled user");
            return Err(ApiError::Forbidden {
                needed: "people whose account is enabled".into(),
            });
        }
        self.start_session(credentials.user_id, credentials.session_epoch)
            .await?;
        tracing::info!(user_id = credentials.user_id, "signed in");
        let me = self.caller().await?.ok_or(ApiError::WrongCredentials)?;
        Ok(me)
    }

    #[tracing::instrument(skip_all)]
    async fn change_password(&self, current: String, new: NewPassword) -> Result<Me, ApiError> {
        // Not `signed_in`: this is the one thing someone who must change their password may do.
        let me = self.caller().await?.ok_or(ApiError::Unauthenticated)?;
        let workspace = WorkspaceId(me.workspace.id);
        let _turn = self.hash_gate.turn().await.map_err(|_| ApiError::Busy {
            retry_after_secs: 1,
        })?;
        let stored = self.storage.password_hash(workspace, me.user.id).await?;
        let matches = password::verify(SecretString::from(current.clone()), stored)
            .await
            .map_err(internal)?;
        if !matches {
            return Err(ApiError::Invalid {
                field: "current_password".into(),
                reason: "Current password: it is not the password you signed in with".into(),
            });
        }
        if current == new.expose() {
            return Err(ApiError::Invalid {
                field: "new_password".into(),
                reason: "New password: it is the same as the current one".into(),
            });
        }
        let hash = password::hash(SecretString::from(new.expose().to_owned()))
            .await
            .map_err(internal)?;
        let epoch = self
            .storage
            .set_password(workspace, me.user.id, &hash, false)
            .await?;
        // Every other session of this user ended with the new epoch; this one carries on in it.
        self.start_session(me.user.id, epoch).await?;
        tracing::info!(user_id = me.user.id, "password changed");
        self.storage
            .find_signed_in(me.user.id, epoch)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }

    async fn sign_out(&self) -> Result<(), ApiError> {
        self.session.flush().await.map_err(internal)
    }

    async fn require_super_user(&self) -> Result<(), ApiError> {
        self.super_user().await.map(|_| ())
    }
}

impl RequestBackend {
    /// Starts (or carries on) this request's session as `user_id` in `epoch`, under a new session id, so
    /// an id planted before sign-in is worthless after it.
    async fn start_session(&self, user_id: i64, epoch: i64) -> Result<(), ApiError> {
        self.session.cycle_id().await.map_err(internal)?;
        self.session
            .insert(SESSION_USER_ID, user_id)
            .await
            .map_err(internal)?;
        self.session
            .insert(SESSION_EPOCH, epoch)
            .await
            .map_err(internal)?;
        // The caller read earlier in this request (if any) is from before; read it afresh.
        self.forget_caller();
        Ok(())
    }
}

/// 429 with the time left when a reservation found its subject locked.
fn refuse_if_locked(reservation: Reservation, now: i64) -> Result<(), ApiError> {
    match reservation {
        Reservation::Allowed => Ok(()),
        Reservation::Locked { until } => Err(ApiError::TooManyAttempts {
            retry_after_secs: u64::try_from(until - now).unwrap_or(1).max(1),
        }),
    }
}
