//! A run's Bulk jobs (`push_jobs`) and their per-row answers (`push_answers`). The job writes that move a
//! run on check the lease in the same transaction.

use super::{under_lease, Holder};
use crate::storage::binds::{bind_all, column_names, Binds, SqlType};
use crate::storage::runs::lease::LeaseCheck;
use crate::storage::{now_unix, on_pool, Storage, StorageError};

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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    pub join_key: String,
    pub ok: bool,
    pub crm_id: Option<String>,
    pub created: bool,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

const ANSWER_COLUMNS: [(&str, SqlType); 6] = [
    ("join_key", SqlType::Text),
    ("ok", SqlType::Bool),
    ("crm_id", SqlType::Text),
    ("created", SqlType::Bool),
    ("error_code", SqlType::Text),
    ("message", SqlType::Text),
];

impl Storage {
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
        Ok(under_lease!(self, holder, tx => {
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
        }))
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
        let update = "update push_jobs set state = $1, sf_state = coalesce($2, sf_state), \
                      sf_error = coalesce($3, sf_error) where run_id = $4 and job_id = $5";
        Ok(under_lease!(self, holder, tx => {
            sqlx::query(update)
                .bind(state)
                .bind(sf_state)
                .bind(sf_error)
                .bind(holder.run_id)
                .bind(job_id)
                .execute(&mut *tx)
                .await?;
        }))
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
        let statements = [
            "update push_staged set job_id = null where run_id = $1 and job_id = $2",
            "delete from push_answers where run_id = $1 and job_id = $2",
            "delete from push_jobs where run_id = $1 and job_id = $2",
        ];
        Ok(under_lease!(self, holder, tx => {
            for sql in statements {
                sqlx::query(sql)
                    .bind(holder.run_id)
                    .bind(job_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }))
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
        if answers.is_empty() {
            return Ok(());
        }
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let job = binds.text(job_id);
        let source =
            binds.insert_source(self.dialect(), &[&run, &job], answers, &ANSWER_COLUMNS)?;
        let sql = format!(
            "insert into push_answers (run_id, job_id, {}) {source} \
             on conflict (run_id, job_id, join_key) do nothing",
            column_names(&ANSWER_COLUMNS)
        );
        on_pool!(self, pool => bind_all!(sqlx::query(&sql), binds).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Ingest jobs that ended runs on the same connection and object as `sync_id` left possibly running in
    /// Salesforce (a run paused or failed while its job was out): `(run id, job id)`.
    ///
    /// # Errors
    /// Database faults.
    pub async fn leftover_jobs(&self, sync_id: i64) -> Result<Vec<(i64, String)>, StorageError> {
        let sql = "select j.run_id, j.job_id from push_jobs j \
                   join sync_runs r on r.id = j.run_id join syncs s on s.id = r.sync_id \
                   join syncs me on me.id = $1 \
                   where s.connection_id = me.connection_id and s.object = me.object \
                   and r.status not in ('queued', 'running') and j.operation <> 'query' \
                   order by j.run_id, j.job_id";
        let rows: Vec<(i64, String)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(sync_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// Forgets a leftover job of an ended run once Salesforce has finished (or never started) it.
    ///
    /// # Errors
    /// Database faults.
    pub async fn forget_job(&self, run_id: i64, job_id: &str) -> Result<(), StorageError> {
        let sql = "delete from push_jobs where run_id = $1 and job_id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(run_id).bind(job_id).execute(pool).await.map(drop))?;
        Ok(())
    }
}
