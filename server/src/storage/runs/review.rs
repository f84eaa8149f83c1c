//! Reading a finished (or running) run back: its log a page at a time with filters, its failures grouped by
//! error code, and every row in order for the results download.
//!
//! Pages are keyset pages by row id, and each filter has an index that starts with `(run_id, …)` (migrations
//! 0008 and 0011), so a page costs the same on the millionth row as on the first. An email search is a
//! prefix range over the lower-cased email (`>= 'ada' and < 'ada\u{10FFFF}'`), byte-ordered on both
//! databases (the column is collated "C" on PostgreSQL), so it is an index seek, not a scan. Which way
//! round is cheaper depends on the prefix: a rare one is read whole from the email index and sorted, a
//! common one is found by walking the log in row order ([`Storage::log_rows`] tries the first, bounded).

use super::log::StoredLogRow;
use crate::storage::binds::{bind_all, Binds};
use crate::storage::{on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::log::LogFilter;

/// Rows per page of the results download: memory per download stays small however long the run.
pub const EXPORT_PAGE: i64 = 2000;

/// An email search first reads up to this many matches by the email index; a prefix with more is common
/// enough that walking the log in row order finds a page sooner (see [`Storage::log_rows`]).
const FEW_MATCHES: i64 = 2000;

/// The `where` clause of a log query for run `run_id` after row `after_id`, its values in `binds`.
fn conditions(filter: &LogFilter, run_id: i64, after_id: i64, binds: &mut Binds) -> String {
    let mut sql = format!(
        "run_id = {} and id > {}",
        binds.int(run_id),
        binds.int(after_id)
    );
    let mut add = |sql: &mut String, condition: &str, value: String| {
        sql.push_str(&format!(" and {condition} {}", binds.text(value)));
    };
    if let Some(outcome) = &filter.outcome {
        add(&mut sql, "outcome =", outcome.clone());
    }
    if let Some(action) = &filter.action {
        add(&mut sql, "action =", action.clone());
    }
    if let Some(code) = &filter.error_code {
        // Only failures carry a code: saying so lets the (run, outcome, code, id) index serve the filter.
        if filter.outcome.is_none() {
            sql.push_str(" and outcome = 'failed'");
        }
        add(&mut sql, "error_code =", code.clone());
    }
    if let Some(prefix) = &filter.email {
        add(&mut sql, "email >=", prefix.clone());
        add(&mut sql, "email <", format!("{prefix}\u{10FFFF}"));
    }
    sql
}

impl Storage {
    /// Up to `limit` rows of run `run_id` after row `after_id` that pass `filter`, in the order they were recorded.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the run is not in this workspace; database faults.
    pub async fn run_log_page(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
        filter: &LogFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<StoredLogRow>, StorageError> {
        self.find_run(workspace, run_id).await?;
        self.log_rows(run_id, filter, after_id, limit).await
    }

    /// Like [`Storage::run_log_page`] without the workspace check: for the results download, which made it
    /// once before streaming.
    ///
    /// # Errors
    /// Database faults.
    pub async fn log_rows(
        &self,
        run_id: i64,
        filter: &LogFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<StoredLogRow>, StorageError> {
        if filter.action.as_deref() == Some("unchanged") {
            // Unchanged contacts are lists, not rows (migration 0012); paged by contact id. None failed.
            if filter.outcome.as_deref().is_some_and(|o| o != "ok") || filter.error_code.is_some() {
                return Ok(Vec::new());
            }
            return self
                .unchanged_rows(run_id, filter.email.as_deref(), after_id, limit)
                .await;
        }
        if filter.email.is_some() {
            // A rare prefix: all its rows from the email index, then the page in row order.
            let by_email = self
                .select_log(run_id, filter, after_id, "email", FEW_MATCHES + 1)
                .await?;
            if by_email.len() <= FEW_MATCHES as usize {
                let mut rows = by_email;
                rows.sort_unstable_by_key(|r| r.id);
                rows.truncate(usize::try_from(limit).unwrap_or(0));
                return Ok(rows);
            }
            // A common prefix: its rows are dense, so walking the log in row order finds a page at once.
        }
        self.select_log(run_id, filter, after_id, "id", limit).await
    }

    async fn select_log(
        &self,
        run_id: i64,
        filter: &LogFilter,
        after_id: i64,
        order: &str,
        limit: i64,
    ) -> Result<Vec<StoredLogRow>, StorageError> {
        let mut binds = Binds::new();
        let sql = format!(
            "select id, contact_id, email, action, outcome, crm_id, error_code, message \
             from sync_run_rows where {} order by {order} limit {limit}",
            conditions(filter, run_id, after_id, &mut binds)
        );
        let rows: Vec<StoredLogRow> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&sql), binds).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// The run's failures counted by error code, most frequent first (then by code).
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the run is not in this workspace; database faults.
    pub async fn run_error_counts(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
    ) -> Result<Vec<(String, i64)>, StorageError> {
        self.find_run(workspace, run_id).await?;
        let sql =
            "select coalesce(error_code, 'UNKNOWN') as code, count(*) as n from sync_run_rows \
                   where run_id = $1 and outcome = 'failed' group by error_code \
                   order by count(*) desc, code";
        let counts: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(run_id)
            .fetch_all(pool)
            .await)?;
        Ok(counts)
    }

    /// The run a retry repeats, when `run_id` is one.
    ///
    /// # Errors
    /// Database faults; [`StorageError::NotFound`] when the run is not in this workspace.
    pub async fn run_retry_of(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
    ) -> Result<Option<i64>, StorageError> {
        let sql = "select retry_of from sync_runs where workspace_id = $1 and id = $2";
        let found: Option<Option<i64>> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(run_id)
            .fetch_optional(pool)
            .await)?;
        found.ok_or(StorageError::NotFound("run"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::binds::Bind;

    #[test]
    fn each_filter_adds_its_condition_and_values_in_the_same_order() {
        let filter = LogFilter {
            outcome: Some("failed".into()),
            action: None,
            error_code: Some("X".into()),
            email: Some("ad".into()),
        };
        let mut binds = Binds::new();
        assert_eq!(
            conditions(&filter, 9, 0, &mut binds),
            "run_id = $1 and id > $2 and outcome = $3 and error_code = $4 and email >= $5 and email < $6"
        );
        let text = |v: &str| Bind::Text(v.into());
        assert_eq!(
            binds.values(),
            [
                Bind::Int(9),
                Bind::Int(0),
                text("failed"),
                text("X"),
                text("ad"),
                text("ad\u{10FFFF}")
            ]
        );
        let code_only = LogFilter {
            error_code: Some("X".into()),
            ..LogFilter::default()
        };
        let mut binds = Binds::new();
        assert_eq!(
            conditions(&code_only, 9, 0, &mut binds),
            "run_id = $1 and id > $2 and outcome = 'failed' and error_code = $3"
        );
        let mut binds = Binds::new();
        assert_eq!(
            conditions(&LogFilter::default(), 9, 0, &mut binds),
            "run_id = $1 and id > $2"
        );
    }
}
