//! Failed sign-in counts, kept in the database so every server instance sees the same numbers.

use super::{on_pool, Storage, StorageError};
use shared::EmailAddress;

impl Storage {
    /// Seconds-since-epoch until which sign-in for this email is locked (0 when it is not).
    ///
    /// # Errors
    /// Database faults.
    pub async fn sign_in_locked_until(&self, email: &EmailAddress) -> Result<i64, StorageError> {
        let sql = "select locked_until from sign_in_failures where email = $1";
        let until: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql).bind(email.as_str()).fetch_optional(pool).await)?;
        Ok(until.unwrap_or(0))
    }

    /// Adds one failure and returns the new count. Concurrent failures each count: the increment happens
    /// inside the database, not read-modify-write in the server.
    ///
    /// # Errors
    /// Database faults.
    pub async fn record_sign_in_failure(&self, email: &EmailAddress) -> Result<i64, StorageError> {
        let sql = "insert into sign_in_failures (email, failures, locked_until) values ($1, 1, 0) \
                   on conflict (email) do update set failures = sign_in_failures.failures + 1 \
                   returning failures";
        let failures: i64 = on_pool!(self, pool => sqlx::query_scalar(sql).bind(email.as_str()).fetch_one(pool).await)?;
        Ok(failures)
    }

    /// # Errors
    /// Database faults.
    pub async fn lock_sign_in(&self, email: &EmailAddress, until: i64) -> Result<(), StorageError> {
        let sql = "update sign_in_failures set locked_until = $2 where email = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(email.as_str()).bind(until).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// # Errors
    /// Database faults.
    pub async fn clear_sign_in_failures(&self, email: &EmailAddress) -> Result<(), StorageError> {
        let sql = "delete from sign_in_failures where email = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(email.as_str()).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}
