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
use crate::storage::binds::{bind_all, column_names, Binds, Dialect, SqlType};
use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::run::RunCounters;

/// One contact's line in the run log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// Contacts found unchanged since their last push: counted, and listed in one `sync_run_unchanged`
    /// row instead of a log row each (migration 0012).
    pub unchanged: Vec<i64>,
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

/// The log row set's columns ([`LogRow`]'s fields), as the statement reads them back.
const LOG_COLUMNS: [(&str, SqlType); 7] = [
    ("contact_id", SqlType::Int),
    ("email", SqlType::Text),
    ("action", SqlType::Text),
    ("outcome", SqlType::Text),
    ("crm_id", SqlType::Text),
    ("error_code", SqlType::Text),
    ("message", SqlType::Text),
];

/// A [`StateUpdate`] as its row set carries it.
#[derive(serde::Serialize)]
struct StateRow<'a> {
    contact_id: i64,
    crm_id: Option<&'a str>,
    last_hash: Option<&'a str>,
    last_pushed_at: Option<i64>,
    last_error: Option<&'a str>,
}

const STATE_COLUMNS: [(&str, SqlType); 5] = [
    ("contact_id", SqlType::Int),
    ("crm_id", SqlType::Text),
    ("last_hash", SqlType::Text),
    ("last_pushed_at", SqlType::Int),
    ("last_error", SqlType::Text),
];

/// A [`StagedRow`] as its row set carries it.
#[derive(serde::Serialize)]
struct StagedJson<'a> {
    contact_id: i64,
    operation: &'static str,
    join_key: &'a str,
    match_key: &'a str,
    email: &'a str,
    hash: Option<&'a str>,
    payload: &'a str,
}

const STAGED_COLUMNS: [(&str, SqlType); 7] = [
    ("contact_id", SqlType::Int),
    ("operation", SqlType::Text),
    ("join_key", SqlType::Text),
    ("match_key", SqlType::Text),
    ("email", SqlType::Text),
    ("hash", SqlType::Text),
    ("payload", SqlType::Text),
];

/// One statement of a batch: its SQL and values.
struct Statement {
    sql: String,
    binds: Binds,
}

/// The statements that write `batch` after the counters, each a fixed text with the rows as one JSON
/// parameter (see [`crate::storage::binds`]); parts the batch does not have are left out.
fn batch_statements(
    dialect: Dialect,
    run_id: i64,
    sync_id: i64,
    now: i64,
    batch: &Batch,
) -> Result<Vec<Statement>, StorageError> {
    let mut out = Vec::new();
    if !batch.rows.is_empty() {
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let source = binds.insert_source(dialect, &[&run], &batch.rows, &LOG_COLUMNS)?;
        out.push(Statement {
            sql: format!(
                "insert into sync_run_rows (run_id, {}) {source}",
                column_names(&LOG_COLUMNS)
            ),
            binds,
        });
    }
    if !batch.states.is_empty() {
        let states: Vec<StateRow> = batch
            .states
            .iter()
            .map(|s| StateRow {
                contact_id: s.contact_id,
                crm_id: s.crm_id.as_deref(),
                last_hash: s.hash.as_deref(),
                last_pushed_at: s.hash.as_ref().map(|_| now),
                last_error: s.error.as_deref(),
            })
            .collect();
        let mut binds = Binds::new();
        let sync = binds.int(sync_id);
        let source = binds.insert_source(dialect, &[&sync], &states, &STATE_COLUMNS)?;
        // A failure keeps the previous hash and record; a success clears the last error.
        out.push(Statement {
            sql: format!(
                "insert into sync_contact_state (sync_id, {columns}) {source} \
                 on conflict (sync_id, contact_id) do update set \
                 crm_id = coalesce(excluded.crm_id, sync_contact_state.crm_id), \
                 last_hash = coalesce(excluded.last_hash, sync_contact_state.last_hash), \
                 last_pushed_at = coalesce(excluded.last_pushed_at, sync_contact_state.last_pushed_at), \
                 last_error = excluded.last_error",
                columns = column_names(&STATE_COLUMNS)
            ),
            binds,
        });
    }
    if !batch.staged.is_empty() {
        let staged: Vec<StagedJson> = batch
            .staged
            .iter()
            .map(|r| StagedJson {
                contact_id: r.contact_id,
                operation: r.operation.as_str(),
                join_key: &r.join_key,
                match_key: &r.match_key,
                email: &r.email,
                hash: r.hash.as_deref(),
                payload: &r.payload,
            })
            .collect();
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let source = binds.insert_source(dialect, &[&run], &staged, &STAGED_COLUMNS)?;
        out.push(Statement {
            sql: format!(
                "insert into push_staged (run_id, {}) {source}",
                column_names(&STAGED_COLUMNS)
            ),
            binds,
        });
    }
    let mut unchanged = batch.unchanged.clone();
    unchanged.sort_unstable();
    if let (Some(&first), Some(&last)) = (unchanged.first(), unchanged.last()) {
        let mut binds = Binds::new();
        let sql = format!(
            "insert into sync_run_unchanged (run_id, first_contact_id, last_contact_id, ids) \
             values ({}, {}, {}, {})",
            binds.int(run_id),
            binds.int(first),
            binds.int(last),
            binds.json(&unchanged)?,
        );
        out.push(Statement { sql, binds });
    }
    if !batch.settled.is_empty() {
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let ids = binds.list(dialect, &batch.settled, SqlType::Int)?;
        out.push(Statement {
            sql: format!("delete from push_staged where run_id = {run} and contact_id in ({ids})"),
            binds,
        });
    }
    if !batch.retry.is_empty() {
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let ids = binds.list(dialect, &batch.retry, SqlType::Int)?;
        out.push(Statement {
            sql: format!(
                "update push_staged set job_id = null, in_flight = false, attempts = attempts + 1 \
                 where run_id = {run} and contact_id in ({ids})"
            ),
            binds,
        });
    }
    Ok(out)
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
        let statements = batch_statements(self.dialect(), run_id, sync_id, now, batch)?;
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
                    for statement in &statements {
                        bind_all!(sqlx::query(&statement.sql), statement.binds)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    LeaseCheck::Held { cancel }
                }
            }
        });
        Ok(check)
    }

    /// A page of a run's log in row order after row `after_id`, then (unless `failed_only`, and while the
    /// page has room) the contacts it found unchanged: every contact's outcome, for tests and checks.
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
        let mut rows: Vec<StoredLogRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(run_id)
            .bind(after_id)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        let room = limit - rows.len() as i64;
        if !failed_only && room > 0 {
            rows.extend(self.unchanged_rows(run_id, None, 0, room).await?);
        }
        Ok(rows)
    }
}
