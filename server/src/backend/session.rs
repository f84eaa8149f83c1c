//! Signing in and out, and changing one's own password. An unknown email and a wrong password fail alike,
//! and repeated failures lock the email and the client address for a while (`auth::throttle`), so the
//! form tells an attacker nothing and slows a guesser down. Every password check waits for a turn at the
//! hasher (`auth::gate`), so a flood costs bounded memory.

use super::{internal, RequestBackend};
use crate::auth::{password, throttle, SESSION_EPOCH, SESSION_USER_ID};
use crate::storage::people::Credentials;
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
        let now = now_unix();
        // An unparseable email is just another wrong credential: one message for every failure. It still
        // counts against the address.
        let email = EmailAddress::parse(&email).ok();
        let attempt = Attempt {
            address: self.client.map(|ip| format!("address:{ip}")),
            email: email.as_ref().map(|e| format!("email:{}", e.as_str())),
        };
        self.reserve(&attempt, now).await?;
        // A turn at the password hasher: beyond its line, the server is too busy to check, and the
        // attempt is given back so the counts stay exact.
        let Ok(_turn) = self.hash_gate.turn().await else {
            self.give_back(&attempt).await?;
            return Err(ApiError::Busy {
                retry_after_secs: 1,
            });
        };
        let Some(email) = email else {
            return Err(ApiError::WrongCredentials);
        };
        let credentials = self.check_password(&email, password).await?;
        // A success: the email's failures are forgotten, the address's other failures stand.
        if let Some(subject) = &attempt.email {
            self.storage.clear_sign_in(subject).await?;
        }
        self.give_back(&Attempt {
            email: None,
            ..attempt
        })
        .await?;
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
        self.caller().await?.ok_or(ApiError::WrongCredentials)
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
        self.caller().await?.ok_or(ApiError::Unauthenticated)
    }

    async fn sign_out(&self) -> Result<(), ApiError> {
        self.session.flush().await.map_err(internal)
    }

    async fn require_super_user(&self) -> Result<(), ApiError> {
        self.super_user().await.map(|_| ())
    }
}

/// The most accounts of one email a sign-in checks the password against: a bound on one request's hashing
/// work. An email has one account per workspace that added it; accounts past this many (an email added by
/// more than eight workspaces) cannot be signed into by password, which the README notes.
const ACCOUNTS_CHECKED: i64 = 8;

/// The throttle subjects one sign-in attempt counts against: its client address and its email.
struct Attempt {
    address: Option<String>,
    email: Option<String>,
}

impl RequestBackend {
    /// Counts the attempt against its address and email, or refuses it (429) when either is locked.
    ///
    /// A read-only look comes first, so a flood against a locked email or address is refused without a
    /// write. Then each reservation counts the attempt atomically with the lock it may set: what really
    /// decides, so a burst cannot slip past the lock. Refused attempts never wait for the hasher, so a
    /// flood against one email leaves the hasher's line free for everyone else.
    async fn reserve(&self, attempt: &Attempt, now: i64) -> Result<(), ApiError> {
        for subject in [&attempt.address, &attempt.email].into_iter().flatten() {
            let until = self.storage.sign_in_locked_until(subject).await?;
            refuse_until(until, now)?;
        }
        if let Some(address) = &attempt.address {
            let reservation = self
                .storage
                .reserve_sign_in(address, &throttle::PER_ADDRESS, now)
                .await?;
            refuse_if_locked(reservation, now)?;
        }
        if let Some(email) = &attempt.email {
            let reservation = self
                .storage
                .reserve_sign_in(email, &throttle::PER_EMAIL, now)
                .await?;
            if let Err(locked) = refuse_if_locked(reservation, now) {
                // Nothing was checked: the address's count goes back too.
                self.give_back(&Attempt {
                    address: attempt.address.clone(),
                    email: None,
                })
                .await?;
                return Err(locked);
            }
        }
        Ok(())
    }

    /// The account `password` opens among the email's accounts (one per workspace that added the email);
    /// one generic error otherwise (an unknown email takes as long, checked against a dummy hash). The
    /// failure was counted when it was reserved. Accounts are checked one after another within the
    /// caller's one turn at the hasher, so memory stays bounded, and at most [`ACCOUNTS_CHECKED`] of them.
    async fn check_password(
        &self,
        email: &EmailAddress,
        password: String,
    ) -> Result<Credentials, ApiError> {
        let accounts = self
            .storage
            .find_credentials(email, ACCOUNTS_CHECKED)
            .await?;
        if accounts.is_empty() {
            // As long as a wrong password for a known email.
            password::verify(SecretString::from(password.clone()), None)
                .await
                .map_err(internal)?;
        }
        for account in accounts {
            let hash = Some(account.password_hash.clone());
            let matches = password::verify(SecretString::from(password.clone()), hash)
                .await
                .map_err(internal)?;
            if matches {
                return Ok(account);
            }
        }
        tracing::info!("sign-in failed");
        Err(ApiError::WrongCredentials)
    }

    /// Gives back what `attempt` counted: it was no failure (a success, or not checked at all).
    async fn give_back(&self, attempt: &Attempt) -> Result<(), ApiError> {
        if let Some(address) = &attempt.address {
            self.storage
                .give_back_sign_in(address, &throttle::PER_ADDRESS)
                .await?;
        }
        if let Some(email) = &attempt.email {
            self.storage
                .give_back_sign_in(email, &throttle::PER_EMAIL)
                .await?;
        }
        Ok(())
    }

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
        Reservation::Locked { until } => refuse_until(until, now),
    }
}

/// 429 with the time left while `until` (a subject's lock, 0 when none) is ahead of `now`.
fn refuse_until(until: i64, now: i64) -> Result<(), ApiError> {
    if until <= now {
        return Ok(());
    }
    Err(ApiError::TooManyAttempts {
        retry_after_secs: u64::try_from(until - now).unwrap_or(1),
    })
}
