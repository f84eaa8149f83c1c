//! The CRM index of a Bulk run (`push_index`): every record of the object with a match value, loaded
//! once from a Bulk query job, looked up a batch of keys at a time. Keys are stored as the engine's
//! `MatchKey` spells them (trimmed, lower-cased), so the lookup is an exact, indexed comparison.

use crate::storage::binds::{bind_all, column_names, Binds, SqlType};
use crate::storage::{on_pool, Storage, StorageError};

/// One record of the index.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct IndexRow {
    pub match_key: String,
    pub crm_id: String,
    pub last_modified: String,
    /// The selected fields' values as a JSON object.
    pub record: String,
}

const INDEX_COLUMNS: [(&str, SqlType); 4] = [
    ("match_key", SqlType::Text),
    ("crm_id", SqlType::Text),
    ("last_modified", SqlType::Text),
    ("record", SqlType::Text),
];

impl Storage {
    /// Adds records to the run's index, in one statement (the rows are one JSON parameter).
    ///
    /// # Errors
    /// Database faults.
    pub async fn add_index_rows(&self, run_id: i64, rows: &[IndexRow]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let source = binds.insert_source(self.dialect(), &[&run], rows, &INDEX_COLUMNS)?;
        let sql = format!(
            "insert into push_index (run_id, {}) {source}",
            column_names(&INDEX_COLUMNS)
        );
        on_pool!(self, pool => bind_all!(sqlx::query(&sql), binds).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// The indexed records whose key is one of `keys`, in a fixed order (so a duplicate match names its
    /// records the same way every time).
    ///
    /// # Errors
    /// Database faults.
    pub async fn index_rows(
        &self,
        run_id: i64,
        keys: &[String],
    ) -> Result<Vec<IndexRow>, StorageError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = Binds::new();
        let run = binds.int(run_id);
        let keys = binds.list(self.dialect(), keys, SqlType::Text)?;
        let sql = format!(
            "select match_key, crm_id, last_modified, record from push_index \
             where run_id = {run} and match_key in ({keys}) order by match_key, crm_id"
        );
        let rows: Vec<IndexRow> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&sql), binds).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Empties the run's index (before loading it again from the start of its query job's pages).
    ///
    /// # Errors
    /// Database faults.
    pub async fn clear_index(&self, run_id: i64) -> Result<(), StorageError> {
        let sql = "delete from push_index where run_id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(run_id).execute(pool).await.map(drop))?;
        Ok(())
    }
}
