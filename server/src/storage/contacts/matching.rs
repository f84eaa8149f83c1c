//! Counting the contacts a sync's filter selects: the live "2,314 of 48,120 contacts" in the sync builder,
//! and the engine's selection. The filter becomes SQL ([`super::filter_sql`]); nothing is filtered in memory.

use super::filter_sql::{filter_sql, Bind, Dialect};
use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::filter::{CheckedRule, Combine};

impl Storage {
    fn dialect(&self) -> Dialect {
        match self {
            Storage::Sqlite(_) => Dialect::Sqlite,
            Storage::Postgres(_) => Dialect::Postgres,
        }
    }

    /// How many of the workspace's contacts the rules select.
    ///
    /// # Errors
    /// Database faults.
    pub async fn count_matching_contacts(
        &self,
        workspace: WorkspaceId,
        rules: &[CheckedRule],
        combine: Combine,
    ) -> Result<i64, StorageError> {
        let filter = filter_sql(rules, combine, self.dialect(), 2, now_unix());
        let sql = format!(
            "select count(*) from contacts where workspace_id = $1 and ({})",
            filter.sql
        );
        let count: i64 = on_pool!(self, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(workspace.0);
            for value in &filter.binds {
                query = match value {
                    Bind::Text(t) => query.bind(t.clone()),
                    Bind::Float(f) => query.bind(*f),
                    Bind::Int(i) => query.bind(*i),
                    Bind::Bool(b) => query.bind(*b),
                };
            }
            query.fetch_one(pool).await
        })?;
        Ok(count)
    }
}
