//! A Bulk run's scratch space (`push_staged`, `push_jobs`, `push_answers`; the CRM index is in [`index`]):
//! the writes it decided and has not settled, the Bulk jobs it submitted, and Salesforce's per-row
//! answers. The engine's `engine::bulk` drives it; every table is keyed by run and emptied when the run
//! ends ([`Storage::drop_run_scratch`]).
//!
//! The writes that change where a run stands (assigning rows to a job, a job's state) check the lease in
//! the same transaction, like [`Storage::record_batch`], so a worker that lost its run changes nothing.
//! Reads and idempotent writes (answers, index rows) do not need to.

pub mod index;

use super::lease::LeaseCheck;
use crate::storage::{now_unix, on_pool, Storage, StorageError};

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

/// A staged row read back, with Salesforce's answer when its job's results are in.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRow {
    pub contact_id: i64,
    pub operation: String,
    pub join_key: String,
    pub match_key: String,
    pub email: String,
    pub hash: Option<String>,
    pub payload: String,
    pub attempts: i64,
    pub in_flight: bool,
    /// `None` until answered (or never, for a row Salesforce left out of every result file).
    pub ok: Option<bool>,
    pub crm_id: Option<String>,
    pub created: Option<bool>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// A Bulk job of the run, as far as our side got with it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub job_id: String,
    pub operation: String,
    pub state: String,
    pub row_count: i64,
    pub sf_state: Option<String>,
    pub sf_error: Option<String>,
}

/// One result row of an ingest job, keyed as its staged row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub join_key: String,
    pub ok: bool,
    pub crm_id: Option<String>,
    pub created: bool,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// Renews the lease inside a transaction; no row means the run is no longer ours.
const HOLD: &str = "update sync_runs set lease_until = $1, updated_at = $2 \
     where id = $3 and lease_owner = $4 and status = 'running' returning cancel_requested";

/// Answers per insert statement: 8 binds each.
const ANSWERS_PER_STATEMENT: usize = 500;
/// Keys per `in (…)` list.
pub(crate) const KEYS_PER_STATEMENT: usize = 500;

fn binds(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const STORED_COLUMNS: &str =
    "s.contact_id, s.operation, s.join_key, s.match_key, s.email, s.hash, \
     s.payload, s.attempts, s.in_flight, a.ok, a.crm_id, a.created, a.error_code, a.message";

/// Who may change a run: its id, the owner and the lease to renew to.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub run_id: i64,
    pub owner: &'a str,
    pub lease_secs: i64,
}

impl Storage {
    /// Which of `keys` a staged row of the run already holds (a write, or a contact deferred behind one).
    ///
    /// # Errors
    /// Database faults.
    pub async fn staged_keys(
        &self,
        run_id: i64,
        keys: &[String],
    ) -> Result<Vec<String>, StorageError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "select distinct match_key from push_staged where run_id = $1 and match_key in ({})",
                binds(2, chunk.len())
            );
            let rows: Vec<String> = on_pool!(self, pool => {
                let mut query = sqlx::query_scalar(&sql).bind(run_id);
                for key in chunk {
                    query = query.bind(key);
                }
                query.fetch_all(pool).await
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Staged writes waiting to be sent, per operation (deferred contacts are not writes).
    ///
    /// # Errors
    /// Database faults or a corrupt row.
    pub async fn unsent_counts(&self, run_id: i64) -> Result<Vec<(Operation, i64)>, StorageError> {
        let sql = "select operation, count(*) from push_staged \
                   where run_id = $1 and job_id is null and operation <> 'deferred' \
                   group by operation order by operation";
        let rows: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(run_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|(op, n)| Ok((Operation::parse(&op)?, n)))
            .collect()
    }

    /// Every unsent row of one operation of the first `contacts` contacts after contact `after`, in contact
    /// order (a job's CSV is written from these pages; a contact's rows are never split across pages).
    ///
    /// # Errors
    /// Database faults.
    pub async fn unsent_page(
        &self,
        run_id: i64,
        operation: Operation,
        after: i64,
        contacts: i64,
    ) -> Result<Vec<StoredRow>, StorageError> {
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on 1 = 0 \
             where s.run_id = $1 and s.operation = $2 and s.job_id is null \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = $1 and operation = $2 and job_id is null and contact_id > $3 \
               order by contact_id limit $4) \
             order by s.contact_id, s.join_key"
        );
        let rows: Vec<StoredRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(run_id)
            .bind(operation.as_str())
            .bind(after)
            .bind(contacts)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// Every unsent row of the first `contacts` contacts that have unsent rows of `operations`, in contact
    /// order: a page of writes for sObject Collections.
    ///
    /// # Errors
    /// Database faults.
    pub async fn collections_page(
        &self,
        run_id: i64,
        operations: &[Operation],
        contacts: i64,
    ) -> Result<Vec<StoredRow>, StorageError> {
        if operations.is_empty() {
            return Ok(Vec::new());
        }
        let ops = binds(3, operations.len());
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on 1 = 0 \
             where s.run_id = $1 and s.job_id is null and s.operation in ({ops}) \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = $1 and job_id is null and operation in ({ops}) \
               order by contact_id limit $2) \
             order by s.contact_id, s.join_key"
        );
        let rows: Vec<StoredRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(run_id).bind(contacts);
            for op in operations {
                query = query.bind(op.as_str());
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Marks the staged rows of `contacts` as handed to a Collections call.
    ///
    /// # Errors
    /// Database faults.
    pub async fn mark_in_flight(&self, run_id: i64, contacts: &[i64]) -> Result<(), StorageError> {
        for chunk in contacts.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "update push_staged set in_flight = true where run_id = $1 and contact_id in ({})",
                binds(2, chunk.len())
            );
            on_pool!(self, pool => {
                let mut query = sqlx::query(&sql).bind(run_id);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(pool).await.map(drop)
            })?;
        }
        Ok(())
    }

    /// The rows of the first `contacts` contacts after `after` that went out in `job_id` (an `operation`
    /// job, which names the index to use), each with its answer, in contact order.
    ///
    /// # Errors
    /// Database faults.
    pub async fn job_page(
        &self,
        run_id: i64,
        operation: Operation,
        job_id: &str,
        after: i64,
        contacts: i64,
    ) -> Result<Vec<StoredRow>, StorageError> {
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on a.run_id = s.run_id and a.job_id = s.job_id \
               and a.join_key = s.join_key \
             where s.run_id = $1 and s.operation = $2 and s.job_id = $3 \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = $1 and operation = $2 and job_id = $3 and contact_id > $4 \
               order by contact_id limit $5) \
             order by s.contact_id, s.join_key"
        );
        let rows: Vec<StoredRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(run_id)
            .bind(operation.as_str())
            .bind(job_id)
            .bind(after)
            .bind(contacts)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// The run's Bulk jobs, oldest first.
    ///
    /// # Errors
    /// Database faults.
    pub async fn run_jobs(&self, run_id: i64) -> Result<Vec<JobRow>, StorageError> {
        let sql = "select job_id, operation, state, row_count, sf_state, sf_error from push_jobs \
                   where run_id = $1 order by created_at, job_id";
        let rows: Vec<JobRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(run_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// Records a new job. For an ingest job, the unsent `operation` rows of contacts `first..=last` go
    /// out in it: the same rows its CSV was written from.
    ///
    /// # Errors
    /// Database faults.
    pub async fn add_job(
        &self,
        holder: Holder<'_>,
        job_id: &str,
        operation: &str,
        contacts: Option<(i64, i64)>,
        row_count: i64,
    ) -> Result<LeaseCheck, StorageError> {
        let now = now_unix();
        let insert =
            "insert into push_jobs (run_id, job_id, operation, state, row_count, created_at) \
                      values ($1, $2, $3, 'open', $4, $5)";
        let assign = "update push_staged set job_id = $1 where run_id = $2 and operation = $3 \
                      and job_id is null and contact_id between $4 and $5";
        let check = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let held: Option<bool> = sqlx::query_scalar(HOLD)
                .bind(now + holder.lease_secs)
                .bind(now)
                .bind(holder.run_id)
                .bind(holder.owner)
                .fetch_optional(&mut *tx)
                .await?;
            match held {
                None => {
                    tx.rollback().await?;
                    LeaseCheck::Lost
                }
                Some(cancel) => {
                    sqlx::query(insert)
                        .bind(holder.run_id)
                        .bind(job_id)
                        .bind(operation)
                        .bind(row_count)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    if let Some((first, last)) = contacts {
                        sqlx::query(assign)
                            .bind(job_id)
                            .bind(holder.run_id)
                            .bind(operation)
                            .bind(first)
                            .bind(last)
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

    /// Moves a job on: `state` is ours, `sf_state` and `sf_error` Salesforce's final word.
    ///
    /// # Errors
    /// Database faults.
    pub async fn set_job_state(
        &self,
        holder: Holder<'_>,
        job_id: &str,
        state: &str,
        sf_state: Option<&str>,
        sf_error: Option<&str>,
    ) -> Result<LeaseCheck, StorageError> {
        let now = now_unix();
        let update = "update push_jobs set state = $1, sf_state = coalesce($2, sf_state), \
                      sf_error = coalesce($3, sf_error) where run_id = $4 and job_id = $5";
        let check = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let held: Option<bool> = sqlx::query_scalar(HOLD)
                .bind(now + holder.lease_secs)
                .bind(now)
                .bind(holder.run_id)
                .bind(holder.owner)
                .fetch_optional(&mut *tx)
                .await?;
            match held {
                None => {
                    tx.rollback().await?;
                    LeaseCheck::Lost
                }
                Some(cancel) => {
                    sqlx::query(update)
                        .bind(state)
                        .bind(sf_state)
                        .bind(sf_error)
                        .bind(holder.run_id)
                        .bind(job_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    LeaseCheck::Held { cancel }
                }
            }
        });
        Ok(check)
    }

    /// Forgets a job: rows still assigned to it become unsent again (the job was aborted before it ran),
    /// and its answers go.
    ///
    /// # Errors
    /// Database faults.
    pub async fn drop_job(
        &self,
        holder: Holder<'_>,
        job_id: &str,
    ) -> Result<LeaseCheck, StorageError> {
        let now = now_unix();
        let statements = [
            "update push_staged set job_id = null where run_id = $1 and job_id = $2",
            "delete from push_answers where run_id = $1 and job_id = $2",
            "delete from push_jobs where run_id = $1 and job_id = $2",
        ];
        let check = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let held: Option<bool> = sqlx::query_scalar(HOLD)
                .bind(now + holder.lease_secs)
                .bind(now)
                .bind(holder.run_id)
                .bind(holder.owner)
                .fetch_optional(&mut *tx)
                .await?;
            match held {
                None => {
                    tx.rollback().await?;
                    LeaseCheck::Lost
                }
                Some(cancel) => {
                    for sql in statements {
                        sqlx::query(sql)
                            .bind(holder.run_id)
                            .bind(job_id)
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

    /// Stores result rows of `job_id`; a row stored before (the files read again after a restart) is kept.
    ///
    /// # Errors
    /// Database faults.
    pub async fn add_answers(
        &self,
        run_id: i64,
        job_id: &str,
        answers: &[Answer],
    ) -> Result<(), StorageError> {
        for chunk in answers.chunks(ANSWERS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| format!("({})", binds(r * 8 + 1, 8)))
                .collect();
            let sql = format!(
                "insert into push_answers (run_id, job_id, join_key, ok, crm_id, created, error_code, \
                 message) values {} on conflict (run_id, job_id, join_key) do nothing",
                values.join(", ")
            );
            on_pool!(self, pool => {
                let mut query = sqlx::query(&sql);
                for a in chunk {
                    query = query
                        .bind(run_id)
                        .bind(job_id)
                        .bind(&a.join_key)
                        .bind(a.ok)
                        .bind(&a.crm_id)
                        .bind(a.created)
                        .bind(&a.error_code)
                        .bind(&a.message);
                }
                query.execute(pool).await.map(drop)
            })?;
        }
        Ok(())
    }

    /// Empties the scratch space of every run that has ended: what a worker that died between ending a run
    /// and emptying it left behind. Run when the engine starts.
    ///
    /// # Errors
    /// Database faults.
    pub async fn sweep_run_scratch(&self) -> Result<(), StorageError> {
        for table in ["push_index", "push_staged", "push_answers", "push_jobs"] {
            let sql = format!(
                "delete from {table} where run_id in \
                 (select id from sync_runs where status not in ('queued', 'running'))"
            );
            on_pool!(self, pool => sqlx::query(&sql).execute(pool).await.map(drop))?;
        }
        Ok(())
    }

    /// Empties the run's scratch space; called when it ends, whatever the end.
    ///
    /// # Errors
    /// Database faults.
    pub async fn drop_run_scratch(&self, run_id: i64) -> Result<(), StorageError> {
        for table in ["push_index", "push_staged", "push_answers", "push_jobs"] {
            let sql = format!("delete from {table} where run_id = $1");
            on_pool!(self, pool => sqlx::query(&sql).bind(run_id).execute(pool).await.map(drop))?;
        }
        Ok(())
    }
}
