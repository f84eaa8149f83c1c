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

/// A contact the engine is about to push, with the hash of what this sync last pushed for it.
#[derive(Debug, Clone)]
pub struct SelectedContact {
    pub contact: shared::contact::Contact,
    /// `sync_contact_state.last_hash`: `None` when never pushed successfully.
    pub last_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SelectedRow {
    #[sqlx(flatten)]
    contact: super::rows::ContactRow,
    last_hash: Option<String>,
}

impl Storage {
    /// One keyset page of the contacts the rules select, in id order, after contact `after_id`, with each
    /// one's last push hash for `sync_id` joined in: the engine streams a run this way, `limit` contacts at
    /// a time, and never holds the selection in memory. Id order also makes `after_id` a resumable cursor.
    ///
    /// # Errors
    /// Database faults or a corrupt row.
    pub async fn selected_contacts_page(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        rules: &[CheckedRule],
        combine: Combine,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<SelectedContact>, StorageError> {
        let filter = filter_sql(rules, combine, self.dialect(), 4, now_unix());
        // The state table's columns share no name with the contact's, so the filter's unqualified column
        // names stay unambiguous.
        let sql = format!(
            "select {columns}, s.last_hash from contacts \
             left join sync_contact_state s on s.sync_id = $2 and s.contact_id = contacts.id \
             where contacts.workspace_id = $1 and contacts.id > $3 and ({filter}) \
             order by contacts.id limit {limit}",
            columns = super::rows::CONTACT_COLUMNS
                .split(", ")
                .map(|c| format!("contacts.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            filter = filter.sql,
        );
        let rows: Vec<SelectedRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(workspace.0).bind(sync_id).bind(after_id);
            for value in &filter.binds {
                query = match value {
                    Bind::Text(t) => query.bind(t.clone()),
                    Bind::Float(f) => query.bind(*f),
                    Bind::Int(i) => query.bind(*i),
                    Bind::Bool(b) => query.bind(*b),
                };
            }
            query.fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|row| {
                Ok(SelectedContact {
                    contact: row.contact.try_into()?,
                    last_hash: row.last_hash,
                })
            })
            .collect()
    }
}
