//! The CRM index of a Bulk run (`push_index`): every record of the object with a match value, loaded
//! once from a Bulk query job, looked up a batch of keys at a time. Keys are stored as the engine's
//! `MatchKey` spells them (trimmed, lower-cased), so the lookup is an exact, indexed comparison.

use super::{binds, KEYS_PER_STATEMENT};
use crate::storage::{on_pool, Storage, StorageError};

/// One record of the index.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IndexRow {
    pub match_key: String,
    pub crm_id: String,
    pub last_modified: String,
    /// The selected fields' values as a JSON object.
    pub record: String,
}

/// Rows per insert statement: 5 binds each.
const ROWS_PER_STATEMENT: usize = 500;

impl Storage {
    /// Adds records to the run's index.
    ///
    /// # Errors
    /// Database faults.
    pub async fn add_index_rows(&self, run_id: i64, rows: &[IndexRow]) -> Result<(), StorageError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| format!("({})", binds(r * 5 + 1, 5)))
                .collect();
            let sql = format!(
                "insert into push_index (run_id, match_key, crm_id, last_modified, record) values {}",
                values.join(", ")
            );
            on_pool!(self, pool => {
                let mut query = sqlx::query(&sql);
                for row in chunk {
                    query = query
                        .bind(run_id)
                        .bind(&row.match_key)
                        .bind(&row.crm_id)
                        .bind(&row.last_modified)
                        .bind(&row.record);
                }
                query.execute(pool).await.map(drop)
            })?;
        }
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
        let mut found = Vec::new();
        for chunk in keys.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "select match_key, crm_id, last_modified, record from push_index \
                 where run_id = $1 and match_key in ({}) order by match_key, crm_id",
                binds(2, chunk.len())
            );
            let rows: Vec<IndexRow> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql).bind(run_id);
                for key in chunk {
                    query = query.bind(key);
                }
                query.fetch_all(pool).await
            })?;
            found.extend(rows);
        }
        Ok(found)
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
