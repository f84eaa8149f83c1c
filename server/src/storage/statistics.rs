//! Planner statistics of the tables a run reads but does not fill itself (PostgreSQL only).
//!
//! The contact store and earlier runs grow `contacts` and `sync_contact_state`; autovacuum analyses them
//! eventually (it is off on some machines, and behind on fresh tables everywhere). Until it does,
//! PostgreSQL plans a run's selection pages for the handful of rows it last saw: a bitmap scan of every
//! contact after the cursor, joined and sorted, for each page of 2,000 — 190 ms a page at 200,000
//! contacts against 5 ms once analysed, so reading a selection grew with its square (issue #14). So a run
//! checks, as autovacuum would (more than 50 rows plus a tenth of the table changed since the last
//! analysis), and analyses what is stale before it reads. The check is one catalogue query; the analysis
//! samples a bounded number of rows. SQLite's planner goes by the indexes and needs none of this.

use super::{Storage, StorageError};

/// The tables a run's selection pages read.
const READ_BY_RUNS: [&str; 2] = ["contacts", "sync_contact_state"];

impl Storage {
    /// Analyses each table of [`READ_BY_RUNS`] whose statistics are stale (PostgreSQL only).
    ///
    /// # Errors
    /// Database faults.
    pub async fn refresh_stale_statistics(&self) -> Result<(), StorageError> {
        let Storage::Postgres(pool) = self else {
            return Ok(());
        };
        let names: Vec<String> = READ_BY_RUNS.iter().map(|t| (*t).to_owned()).collect();
        let stale: Vec<String> = sqlx::query_scalar(
            "select relname::text from pg_stat_user_tables \
             where schemaname = current_schema() and relname = any($1) \
             and n_mod_since_analyze > 50 + n_live_tup / 10",
        )
        .bind(&names)
        .fetch_all(pool)
        .await?;
        for table in stale {
            // `table` is one of the names above, never input.
            tracing::info!(table, "analysing before a run: statistics are stale");
            sqlx::query(&format!("analyze {table}"))
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}
