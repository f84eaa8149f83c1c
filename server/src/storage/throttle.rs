//! Sign-in attempt counts per subject (an email or a client address), kept in the database so every server
//! instance sees the same numbers.
//!
//! An attempt is *reserved* (counted as a failure) before its password is checked, in one transaction that
//! also sets the lock when the count reaches it. So a burst of parallel attempts cannot all read "not
//! locked" and then all check a password: the sixth of a burst finds the lock the fifth set. An attempt
//! that turns out not to be a failure (a success, or one the server was too busy to check) gives its
//! reservation back.

use super::{on_pool, Storage, StorageError};
use crate::auth::throttle::Policy;

/// What a reservation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may check its password; it is already counted.
    Allowed,
    /// Locked until this unix second; nothing was counted.
    Locked { until: i64 },
}

impl Storage {
    /// Counts one attempt for `subject` unless it is locked, and locks it when `policy` says this attempt
    /// is one too many.
    ///
    /// # Errors
    /// Database faults.
    pub async fn reserve_sign_in(
        &self,
        subject: &str,
        policy: &Policy,
        now: i64,
    ) -> Result<Reservation, StorageError> {
        // The upsert's `where` skips a locked row: no count, no row returned.
        let count =
            "insert into sign_in_throttle (subject, failures, locked_until, last_attempt_at) \
                     values ($1, 1, 0, $2) \
                     on conflict (subject) do update set \
                       failures = case when sign_in_throttle.last_attempt_at <= $3 then 1 \
                                       else sign_in_throttle.failures + 1 end, \
                       last_attempt_at = $2 \
                     where sign_in_throttle.locked_until <= $2 \
                     returning failures";
        let lock = "update sign_in_throttle set locked_until = $2 where subject = $1";
        let locked_until = "select locked_until from sign_in_throttle where subject = $1";
        let forgotten_before = now - policy.forget_after_secs();
        let reservation = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let failures: Option<i64> = sqlx::query_scalar(count)
                .bind(subject)
                .bind(now)
                .bind(forgotten_before)
                .fetch_optional(&mut *tx)
                .await?;
            let reservation = match failures {
                None => {
                    let until: i64 = sqlx::query_scalar(locked_until)
                        .bind(subject)
                        .fetch_one(&mut *tx)
                        .await?;
                    Reservation::Locked { until }
                }
                Some(failures) => {
                    let seconds = policy.lock_seconds(failures);
                    if seconds > 0 {
                        sqlx::query(lock)
                            .bind(subject)
                            .bind(now + seconds)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Reservation::Allowed
                }
            };
            tx.commit().await?;
            reservation
        });
        Ok(reservation)
    }

    /// Unix second until which `subject` is locked (0 when it is not). Only a cheap first look, so a flood
    /// against a locked subject is refused without waiting for the hasher; [`Self::reserve_sign_in`] is
    /// what decides.
    ///
    /// # Errors
    /// Database faults.
    pub async fn sign_in_locked_until(&self, subject: &str) -> Result<i64, StorageError> {
        let sql = "select locked_until from sign_in_throttle where subject = $1";
        let until: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql).bind(subject).fetch_optional(pool).await)?;
        Ok(until.unwrap_or(0))
    }

    /// After a successful sign-in: forgets every failure of `subject` (the account's own count).
    ///
    /// # Errors
    /// Database faults.
    pub async fn clear_sign_in(&self, subject: &str) -> Result<(), StorageError> {
        let sql = "delete from sign_in_throttle where subject = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(subject).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Gives back one reservation of `subject`: the attempt was not a failure after all (it succeeded, or
    /// the server was too busy to check it). When the count falls below where `policy` locks, the lock
    /// that reservation may have set goes too.
    ///
    /// # Errors
    /// Database faults.
    pub async fn give_back_sign_in(
        &self,
        subject: &str,
        policy: &Policy,
    ) -> Result<(), StorageError> {
        let sql = "update sign_in_throttle set failures = failures - 1, \
                     locked_until = case when failures - 1 < $2 then 0 else locked_until end \
                   where subject = $1 and failures > 0";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(subject)
            .bind(policy.free_failures)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Failures counted for `subject` (0 when none), for tests and the sign-in load bench.
    ///
    /// # Errors
    /// Database faults.
    pub async fn sign_in_failures(&self, subject: &str) -> Result<i64, StorageError> {
        let sql = "select failures from sign_in_throttle where subject = $1";
        let failures: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql).bind(subject).fetch_optional(pool).await)?;
        Ok(failures.unwrap_or(0))
    }
}
