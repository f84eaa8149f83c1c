//! Staged writes (`push_staged`): which keys a run already writes, what waits to be sent, pages of it for
//! a Bulk CSV or a Collections call, and a job's rows with their answers.

use super::{Operation, StoredRow};
use crate::storage::binds::{bind_all, Binds, SqlType};
use crate::storage::json_page::{parse_page, sqlite_page_sql};
use crate::storage::{on_pool, Storage, StorageError};

const STORED_COLUMNS: &str =
    "s.contact_id, s.operation, s.join_key, s.match_key, s.email, s.hash, \
     s.payload, s.attempts, s.in_flight, a.ok, a.crm_id, a.created, a.error_code, a.message";

impl Storage {
    /// Runs a page query of [`STORED_COLUMNS`] ordered by contact and join key. On SQLite the page comes
    /// back as one JSON value ([`crate::storage::json_page`]), on PostgreSQL row by row.
    async fn stored_page(&self, sql: &str, binds: Binds) -> Result<Vec<StoredRow>, StorageError> {
        Ok(match self {
            Storage::Sqlite(pool) => {
                let page = sqlite_page_sql(sql, &[STORED_COLUMNS]);
                let json: String = bind_all!(sqlx::query_scalar(&page), binds)
                    .fetch_one(pool)
                    .await?;
                let mut rows: Vec<StoredRow> = parse_page::<(StoredRow,)>(&json)?
                    .into_iter()
                    .map(|(row,)| row)
                    .collect();
                // The order callers rely on, whatever order `json_group_array` kept (see
                // `selected_page`); one pass when already sorted.
                rows.sort_by(|a, b| (a.contact_id, &a.join_key).cmp(&(b.contact_id, &b.join_key)));
                rows
            }
            Storage::Postgres(pool) => {
                bind_all!(sqlx::query_as(sql), binds)
                    .fetch_all(pool)
                    .await?
            }
        })
    }
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
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let keys = binds.list(self.dialect(), keys, SqlType::Text)?;
        let sql = format!(
            "select distinct match_key from push_staged where run_id = {run} and match_key in ({keys})"
        );
        let found: Vec<String> = on_pool!(self, pool => {
            bind_all!(sqlx::query_scalar(&sql), binds).fetch_all(pool).await
        })?;
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
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let op = binds.text(operation.as_str());
        let after = binds.int(after);
        let limit = binds.int(contacts);
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on 1 = 0 \
             where s.run_id = {run} and s.operation = {op} and s.job_id is null \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = {run} and operation = {op} and job_id is null and contact_id > {after} \
               order by contact_id limit {limit}) \
             order by s.contact_id, s.join_key"
        );
        self.stored_page(&sql, binds).await
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
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let limit = binds.int(contacts);
        let names: Vec<&str> = operations.iter().map(|o| o.as_str()).collect();
        let ops = binds.list(self.dialect(), &names, SqlType::Text)?;
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on 1 = 0 \
             where s.run_id = {run} and s.job_id is null and s.operation in ({ops}) \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = {run} and job_id is null and operation in ({ops}) \
               order by contact_id limit {limit}) \
             order by s.contact_id, s.join_key"
        );
        self.stored_page(&sql, binds).await
    }

    /// Marks the staged rows of `contacts` as handed to a Collections call.
    ///
    /// # Errors
    /// Database faults.
    pub async fn mark_in_flight(&self, run_id: i64, contacts: &[i64]) -> Result<(), StorageError> {
        if contacts.is_empty() {
            return Ok(());
        }
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let ids = binds.list(self.dialect(), contacts, SqlType::Int)?;
        let sql = format!(
            "update push_staged set in_flight = true where run_id = {run} and contact_id in ({ids})"
        );
        on_pool!(self, pool => bind_all!(sqlx::query(&sql), binds).execute(pool).await.map(drop))?;
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
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let op = binds.text(operation.as_str());
        let job = binds.text(job_id);
        let after = binds.int(after);
        let limit = binds.int(contacts);
        let sql = format!(
            "select {STORED_COLUMNS} from push_staged s \
             left join push_answers a on a.run_id = s.run_id and a.job_id = s.job_id \
               and a.join_key = s.join_key \
             where s.run_id = {run} and s.operation = {op} and s.job_id = {job} \
             and s.contact_id in (select distinct contact_id from push_staged \
               where run_id = {run} and operation = {op} and job_id = {job} and contact_id > {after} \
               order by contact_id limit {limit}) \
             order by s.contact_id, s.join_key"
        );
        self.stored_page(&sql, binds).await
    }
}
