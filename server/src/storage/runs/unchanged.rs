//! The contacts a run found unchanged since their last push, read back from `sync_run_unchanged` (one row
//! per recorded batch, its contact ids as a JSON array; migration 0012 says why they are not log rows).
//!
//! Read a set row at a time in contact order, so a page costs one or two short lists however long the run,
//! then the page's emails from the contacts (a contact deleted since shows as `(deleted contact)`: unlike a
//! log row, the list keeps no copy of the email).

use super::log::StoredLogRow;
use crate::storage::binds::{bind_all, Binds, SqlType};
use crate::storage::{on_pool, Storage, StorageError};
use std::collections::HashMap;

/// What a log row says of an unchanged contact (the engine's sentence, as `Decision::message` gives it).
pub const UNCHANGED_MESSAGE: &str = "Unchanged since this sync last pushed it";

/// The email shown for an unchanged contact deleted since.
const DELETED: &str = "(deleted contact)";

impl Storage {
    /// Up to `limit` unchanged contacts of run `run_id` after contact `after_contact`, in contact order, as
    /// log rows whose `id` is the contact id (the key to page on). `email_prefix` keeps those whose email
    /// starts with it.
    ///
    /// # Errors
    /// Database faults or a corrupt list.
    pub async fn unchanged_rows(
        &self,
        run_id: i64,
        email_prefix: Option<&str>,
        after_contact: i64,
        limit: i64,
    ) -> Result<Vec<StoredLogRow>, StorageError> {
        let limit = usize::try_from(limit).unwrap_or(0);
        let mut out = Vec::new();
        let mut after = after_contact;
        while out.len() < limit {
            let set: Option<(i64, String)> = on_pool!(self, pool => sqlx::query_as(
                "select last_contact_id, ids from sync_run_unchanged \
                 where run_id = $1 and last_contact_id > $2 order by last_contact_id limit 1",
            )
            .bind(run_id)
            .bind(after)
            .fetch_optional(pool)
            .await)?;
            let Some((last, ids)) = set else {
                break;
            };
            let ids: Vec<i64> = serde_json::from_str(&ids).map_err(|e| {
                StorageError::Corrupt(format!("unchanged list of run {run_id}: {e}"))
            })?;
            let ids: Vec<i64> = ids.into_iter().filter(|id| *id > after).collect();
            let emails = self.emails_of(&ids).await?;
            for id in ids {
                let email = emails.get(&id).map_or(DELETED, String::as_str);
                if email_prefix.is_some_and(|p| !email.starts_with(p)) {
                    continue;
                }
                out.push(StoredLogRow {
                    id,
                    contact_id: id,
                    email: email.to_owned(),
                    action: "unchanged".into(),
                    outcome: "ok".into(),
                    crm_id: None,
                    error_code: None,
                    message: Some(UNCHANGED_MESSAGE.into()),
                });
                if out.len() == limit {
                    return Ok(out);
                }
            }
            after = last;
        }
        Ok(out)
    }

    /// The emails of contacts `ids` (those still stored).
    async fn emails_of(&self, ids: &[i64]) -> Result<HashMap<i64, String>, StorageError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut binds = Binds::new();
        let list = binds.list(self.dialect(), ids, SqlType::Int)?;
        let sql = format!("select id, email from contacts where id in ({list})");
        let rows: Vec<(i64, String)> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&sql), binds).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().collect())
    }
}
