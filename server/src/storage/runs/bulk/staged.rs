//! Staged writes (`push_staged`): which keys a run already writes, what waits to be sent, pages of it for
//! a Bulk CSV or a Collections call, and a job's rows with their answers.

use super::{Operation, StoredRow};
use crate::storage::binds::{bind_all, Binds, SqlType};
use crate::storage::{on_pool, Storage, StorageError};

const STORED_COLUMNS: &str =
    "s.contact_id, s.operation, s.join_key, s.match_key, s.email, s.hash, \
     s.payload, s.attempts, s.in_flight, a.ok, a.crm_id, a.created, a.error_code, a.message";

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
        let rows: Vec<StoredRow> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&sql), binds).fetch_all(pool).await
        })?;
        Ok(rows)
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
}
