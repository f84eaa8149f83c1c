//! A run's per-contact log and each sync's per-contact push state, written a batch at a time.
//!
//! [`Storage::record_batch`] writes one batch's rows, the state of its contacts, the counters and the
//! run's cursor in one short transaction, after the batch's Salesforce calls are done: the rows and the
//! counters can never disagree, and a run picked up again after its worker died starts after the last
//! recorded contact. The transaction first checks the lease, so a worker that lost its run writes nothing.
//!
//! A Bulk run ([`super::bulk`]) records through the same transaction: a planned batch adds its staged
//! writes beside the log rows of the contacts that needed none, and a settled page of staged writes
//! deletes them beside their contacts' log rows, so a contact is always either staged or logged.

use super::bulk::StagedRow;
use super::lease::LeaseCheck;
use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::run::RunCounters;

/// One contact's line in the run log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub contact_id: i64,
    pub email: String,
    /// `insert`, `update`, `skip`, `unchanged` or `invalid`.
    pub action: &'static str,
    /// `ok` or `failed`.
    pub outcome: &'static str,
    pub crm_id: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// What to remember about one contact for its sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateUpdate {
    pub contact_id: i64,
    /// The record it now lives in, when known; `None` keeps the stored one.
    pub crm_id: Option<String>,
    /// Set when every write succeeded; `None` keeps the stored hash.
    pub hash: Option<String>,
    /// The failure, or `None` to clear the last one.
    pub error: Option<String>,
}

/// One batch's outcome.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub rows: Vec<LogRow>,
    pub states: Vec<StateUpdate>,
    /// Added to the run's counters (`processed` and the outcome counters; totals are left alone).
    pub counters: RunCounters,
    /// The run's new cursor: the last contact id of the batch; `None` leaves it (a Bulk run settling
    /// writes it staged earlier).
    pub cursor: Option<i64>,
    /// Writes a Bulk run decided in this batch and sends later.
    pub staged: Vec<StagedRow>,
    /// Contacts whose staged rows are settled by this batch (their log row is among `rows`): deleted.
    pub settled: Vec<i64>,
    /// Contacts whose staged rows go back to be sent again (a transient refusal): unassigned from their job.
    pub retry: Vec<i64>,
}

/// A row of the log as the run pages read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredLogRow {
    pub id: i64,
    pub contact_id: i64,
    pub email: String,
    pub action: String,
    pub outcome: String,
    pub crm_id: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// Rows per insert statement: 8 binds each, far under both databases' limits.
const ROWS_PER_STATEMENT: usize = 500;
/// State rows per upsert statement: 6 binds each.
const STATES_PER_STATEMENT: usize = 500;
/// Staged rows per insert statement: 8 binds each.
const STAGED_PER_STATEMENT: usize = 500;
/// Contact ids per `in (…)` list.
const IDS_PER_STATEMENT: usize = 500;

fn staged_sql(n: usize) -> String {
    format!(
        "insert into push_staged (run_id, contact_id, operation, join_key, match_key, email, hash, \
         payload) values {}",
        placeholders(n, 8)
    )
}

/// `$2, $3, …`: ids after the run id.
fn id_list(n: usize) -> String {
    (2..n + 2)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn placeholders(rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|r| {
            let binds: Vec<String> = (1..=per_row)
                .map(|c| format!("${}", r * per_row + c))
                .collect();
            format!("({})", binds.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Storage {
    /// Records one batch of run `run_id` for `owner`: counters and cursor, the log rows, and the contacts'
    /// push state, in one transaction. Nothing is written when the lease is no longer ours.
    ///
    /// # Errors
    /// Database faults (the transaction rolls back; nothing of the batch is recorded).
    pub async fn record_batch(
        &self,
        run_id: i64,
        sync_id: i64,
        owner: &str,
        lease_secs: i64,
        batch: &Batch,
    ) -> Result<LeaseCheck, StorageError> {
        let c = &batch.counters;
        let now = now_unix();
        let counters = "update sync_runs set processed = processed + $1, \
             inserted_ok = inserted_ok + $2, inserted_failed = inserted_failed + $3, \
             updated_ok = updated_ok + $4, updated_failed = updated_failed + $5, \
             skipped = skipped + $6, unchanged = unchanged + $7, invalid = invalid + $8, \
             cursor_contact_id = coalesce($9, cursor_contact_id), lease_until = $10, updated_at = $11 \
             where id = $12 and lease_owner = $13 and status = 'running' returning cancel_requested";
        let row_sql = |n: usize| {
            format!(
                "insert into sync_run_rows (run_id, contact_id, email, action, outcome, crm_id, \
                 error_code, message) values {}",
                placeholders(n, 8)
            )
        };
        // A failure keeps the previous hash and record; a success clears the last error.
        let state_sql = |n: usize| {
            format!(
                "insert into sync_contact_state (sync_id, contact_id, crm_id, last_hash, \
                 last_pushed_at, last_error) values {} \
                 on conflict (sync_id, contact_id) do update set \
                 crm_id = coalesce(excluded.crm_id, sync_contact_state.crm_id), \
                 last_hash = coalesce(excluded.last_hash, sync_contact_state.last_hash), \
                 last_pushed_at = coalesce(excluded.last_pushed_at, sync_contact_state.last_pushed_at), \
                 last_error = excluded.last_error",
                placeholders(n, 6)
            )
        };
        let check = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let cancel: Option<bool> = sqlx::query_scalar(counters)
                .bind(c.processed)
                .bind(c.inserted_ok)
                .bind(c.inserted_failed)
                .bind(c.updated_ok)
                .bind(c.updated_failed)
                .bind(c.skipped)
                .bind(c.unchanged)
                .bind(c.invalid)
                .bind(batch.cursor)
                .bind(now + lease_secs)
                .bind(now)
                .bind(run_id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
            match cancel {
                None => {
                    tx.rollback().await?;
                    LeaseCheck::Lost
                }
                Some(cancel) => {
                    for chunk in batch.rows.chunks(ROWS_PER_STATEMENT) {
                        let sql = row_sql(chunk.len());
                        let mut query = sqlx::query(&sql);
                        for row in chunk {
                            query = query
                                .bind(run_id)
                                .bind(row.contact_id)
                                .bind(&row.email)
                                .bind(row.action)
                                .bind(row.outcome)
                                .bind(&row.crm_id)
                                .bind(&row.error_code)
                                .bind(&row.message);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    for chunk in batch.states.chunks(STATES_PER_STATEMENT) {
                        let sql = state_sql(chunk.len());
                        let mut query = sqlx::query(&sql);
                        for state in chunk {
                            let pushed = state.hash.as_ref().map(|_| now);
                            query = query
                                .bind(sync_id)
                                .bind(state.contact_id)
                                .bind(&state.crm_id)
                                .bind(&state.hash)
                                .bind(pushed)
                                .bind(&state.error);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    for chunk in batch.staged.chunks(STAGED_PER_STATEMENT) {
                        let sql = staged_sql(chunk.len());
                        let mut query = sqlx::query(&sql);
                        for row in chunk {
                            query = query
                                .bind(run_id)
                                .bind(row.contact_id)
                                .bind(row.operation.as_str())
                                .bind(&row.join_key)
                                .bind(&row.match_key)
                                .bind(&row.email)
                                .bind(&row.hash)
                                .bind(&row.payload);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    for chunk in batch.settled.chunks(IDS_PER_STATEMENT) {
                        let sql = format!(
                            "delete from push_staged where run_id = $1 and contact_id in ({})",
                            id_list(chunk.len())
                        );
                        let mut query = sqlx::query(&sql).bind(run_id);
                        for id in chunk {
                            query = query.bind(*id);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    for chunk in batch.retry.chunks(IDS_PER_STATEMENT) {
                        let sql = format!(
                            "update push_staged set job_id = null, in_flight = false, \
                             attempts = attempts + 1 where run_id = $1 and contact_id in ({})",
                            id_list(chunk.len())
                        );
                        let mut query = sqlx::query(&sql).bind(run_id);
                        for id in chunk {
                            query = query.bind(*id);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    LeaseCheck::Held { cancel }
                }
            }
        });
        Ok(check)
    }

    /// A page of a run's log in contact order after row `after_id`; `failed_only` keeps failures.
    ///
    /// # Errors
    /// Database faults; [`StorageError::NotFound`] when the run is not in this workspace.
    pub async fn run_log(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
        after_id: i64,
        failed_only: bool,
        limit: i64,
    ) -> Result<Vec<StoredLogRow>, StorageError> {
        self.find_run(workspace, run_id).await?;
        let outcome = if failed_only {
            " and outcome = 'failed'"
        } else {
            ""
        };
        let sql = format!(
            "select id, contact_id, email, action, outcome, crm_id, error_code, message \
             from sync_run_rows where run_id = $1 and id > $2{outcome} order by id limit $3"
        );
        let rows: Vec<StoredLogRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(run_id)
            .bind(after_id)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
