//! A Bulk run's scratch space: the writes it decided and has not settled ([`staged`]), the Bulk jobs it
//! submitted and Salesforce's per-row answers ([`jobs`]), and the CRM index ([`index`]). The engine's `engine::bulk` drives it; every table is keyed by run and emptied when the run
//! ends ([`Storage::drop_run_scratch`]).
//!
//! The writes that change where a run stands (assigning rows to a job, a job's state) check the lease in
//! the same transaction, like [`Storage::record_batch`], so a worker that lost its run changes nothing.
//! Reads and idempotent writes (answers, index rows) do not need to.

pub mod index;
pub mod jobs;
pub mod staged;

pub use jobs::{Answer, JobRow};

use crate::storage::{on_pool, Storage, StorageError};

/// What a staged row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Insert,
    Update,
    Upsert,
    /// Not a write: the contact shares its match key with a write already staged, and is decided again
    /// once that is done.
    Deferred,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Insert => "insert",
            Operation::Update => "update",
            Operation::Upsert => "upsert",
            Operation::Deferred => "deferred",
        }
    }

    /// # Errors
    /// `Corrupt` for a value the table's check constraint should have refused.
    pub fn parse(raw: &str) -> Result<Self, StorageError> {
        Ok(match raw {
            "insert" => Operation::Insert,
            "update" => Operation::Update,
            "upsert" => Operation::Upsert,
            "deferred" => Operation::Deferred,
            other => return Err(StorageError::Corrupt(format!("staged operation {other}"))),
        })
    }
}

/// A write to stage (see the migration `0009_bulk_runs.sql` for what each column means).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRow {
    pub contact_id: i64,
    pub operation: Operation,
    pub join_key: String,
    pub match_key: String,
    pub email: String,
    pub hash: Option<String>,
    /// The field values as a JSON object.
    pub payload: String,
}

/// A staged row read back, with Salesforce's answer when its job's results are in. On SQLite it is read
/// from a JSON page ([`crate::storage::json_page`]) as an array of its fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct StoredRow {
    pub contact_id: i64,
    pub operation: String,
    pub join_key: String,
    pub match_key: String,
    pub email: String,
    pub hash: Option<String>,
    pub payload: String,
    pub attempts: i64,
    #[serde(deserialize_with = "crate::storage::json_page::bool_or_int::required")]
    pub in_flight: bool,
    /// `None` until answered (or never, for a row Salesforce left out of every result file).
    #[serde(deserialize_with = "crate::storage::json_page::bool_or_int::optional")]
    pub ok: Option<bool>,
    pub crm_id: Option<String>,
    #[serde(deserialize_with = "crate::storage::json_page::bool_or_int::optional")]
    pub created: Option<bool>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// Runs `$body` (statements on the transaction `$tx`) in one transaction that first renews `$holder`'s
/// lease (`lease::HOLD`, what `Storage::renew_lease` runs alone): `LeaseCheck::Lost`, and nothing written, when the run is no longer the holder's. A macro
/// because the body is the same text on SQLite and PostgreSQL but not the same types.
macro_rules! under_lease {
    ($storage:expr, $holder:expr, $tx:ident => $body:block) => {{
        let holder: $crate::storage::runs::bulk::Holder<'_> = $holder;
        let now = $crate::storage::now_unix();
        $crate::storage::on_pool!($storage, pool => {
            let mut $tx = pool.begin().await?;
            let held: Option<bool> = sqlx::query_scalar($crate::storage::runs::lease::HOLD)
                .bind(now + holder.lease_secs)
                .bind(now)
                .bind(holder.run_id)
                .bind(holder.owner)
                .fetch_optional(&mut *$tx)
                .await?;
            match held {
                None => {
                    $tx.rollback().await?;
                    $crate::storage::runs::lease::LeaseCheck::Lost
                }
                Some(cancel) => {
                    $body
                    $tx.commit().await?;
                    $crate::storage::runs::lease::LeaseCheck::Held { cancel }
                }
            }
        })
    }};
}
pub(crate) use under_lease;

/// Who may change a run: its id, the owner and the lease to renew to.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub run_id: i64,
    pub owner: &'a str,
    pub lease_secs: i64,
}

impl Storage {
    /// Empties the scratch space of every run that has ended: what a worker that died between ending a run
    /// and emptying it left behind. Run when the engine starts.
    ///
    /// # Errors
    /// Database faults.
    pub async fn sweep_run_scratch(&self) -> Result<(), StorageError> {
        for (table, keep) in SCRATCH {
            let sql = format!(
                "delete from {table} where run_id in \
                 (select id from sync_runs where status not in ('queued', 'running')){keep}"
            );
            on_pool!(self, pool => sqlx::query(&sql).execute(pool).await.map(drop))?;
        }
        Ok(())
    }

    /// Empties the run's scratch space; called when it ends, whatever the end. Ingest jobs that may still
    /// run in Salesforce are kept: the next run on the same object waits for them
    /// (`engine::bulk::leftover`), so it cannot insert beside a job still inserting.
    ///
    /// # Errors
    /// Database faults.
    pub async fn drop_run_scratch(&self, run_id: i64) -> Result<(), StorageError> {
        for (table, keep) in SCRATCH {
            let sql = format!("delete from {table} where run_id = $1{keep}");
            on_pool!(self, pool => sqlx::query(&sql).bind(run_id).execute(pool).await.map(drop))?;
        }
        Ok(())
    }
}

/// A scratch table whose statistics the engine refreshes once it has filled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filled {
    /// The CRM index, after its query job's pages are loaded.
    Index,
    /// The staged writes, after planning.
    Staged,
    /// A job's answers, after its result files are read.
    Answers,
}

impl Storage {
    /// Refreshes the planner's statistics of a scratch table the run has just filled (PostgreSQL only).
    ///
    /// A run fills these tables and queries them at once, before autovacuum (off on some machines, and
    /// behind on fresh tables everywhere) has looked at them, so PostgreSQL would plan for the one row it
    /// assumes an unanalysed table holds: a nested loop over ~10,000 answers per staged row, 4.8 s per page
    /// of a job's results against 35 ms once analysed (issue #14). Sampling costs well under a second
    /// even at a million rows, once per phase; the engine does not depend on luck with statistics.
    /// SQLite's planner goes by the indexes without statistics and needs none of this.
    ///
    /// # Errors
    /// Database faults.
    pub async fn analyze_filled(&self, table: Filled) -> Result<(), StorageError> {
        let Storage::Postgres(pool) = self else {
            return Ok(());
        };
        let sql = match table {
            Filled::Index => "analyze push_index",
            Filled::Staged => "analyze push_staged",
            // The staged rows too: their job ids were set after planning, when they were last analysed,
            // and the join reads them by job.
            Filled::Answers => "analyze push_answers, push_staged",
        };
        sqlx::query(sql).execute(pool).await?;
        Ok(())
    }
}

/// The scratch tables, each with what an ended run keeps of it.
const SCRATCH: [(&str, &str); 4] = [
    ("push_index", ""),
    ("push_staged", ""),
    ("push_answers", ""),
    (
        "push_jobs",
        " and not (operation <> 'query' and state in ('open', 'submitted'))",
    ),
];
