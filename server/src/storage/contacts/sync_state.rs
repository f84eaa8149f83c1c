//! What each sync of a workspace remembers about one contact (`sync_contact_state`, migration 0008), for
//! the contact's detail page.

use crate::storage::{on_pool, Storage, StorageError, WorkspaceId};

/// One sync's memory of one contact, with the domain of the sync's connection (the org the record is in).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactSyncState {
    pub sync_id: i64,
    pub sync_name: String,
    /// `crm_connections.domain`: a bare host for a real org, a full origin for an allowed extra one.
    pub domain: String,
    /// The Salesforce record; `None` until a push created or matched one.
    pub crm_id: Option<String>,
    /// Unix seconds of the last successful push.
    pub last_pushed_at: Option<i64>,
    /// The last push's failure; cleared by a success.
    pub last_error: Option<String>,
}

impl Storage {
    /// Every sync of the workspace that has pushed, or tried to push, contact `contact_id`, oldest sync
    /// first. Empty when none has.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the contact is not in this workspace; database faults.
    #[tracing::instrument(skip_all, fields(workspace = workspace.0, contact_id))]
    pub async fn contact_sync_states(
        &self,
        workspace: WorkspaceId,
        contact_id: i64,
    ) -> Result<Vec<ContactSyncState>, StorageError> {
        // Asked first so another workspace's contact id reads as "no such contact", not "never pushed".
        let exists = "select 1 from contacts where workspace_id = $1 and id = $2";
        let found: Option<i32> = on_pool!(self, pool => sqlx::query_scalar(exists)
            .bind(workspace.0)
            .bind(contact_id)
            .fetch_optional(pool)
            .await)?;
        if found.is_none() {
            return Err(StorageError::NotFound("contact"));
        }
        // Driven from the workspace's syncs (a handful): each finds its state row by its primary key
        // (sync_id, contact_id), so the state table needs no index on contact_id.
        let sql = "select s.id as sync_id, s.name as sync_name, c.domain, st.crm_id, \
                   st.last_pushed_at, st.last_error \
                   from syncs s \
                   join sync_contact_state st on st.sync_id = s.id and st.contact_id = $2 \
                   join crm_connections c on c.id = s.connection_id \
                   where s.workspace_id = $1 \
                   order by s.id";
        let rows: Vec<ContactSyncState> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(contact_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
