//! Syncs of a workspace. For now: creating one and asking which syncs use a connection (a connection in use
//! cannot be disconnected). The sync builder adds the rest.

use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::crm::CrmObject;

impl Storage {
    /// # Errors
    /// [`StorageError::NotFound`] when the connection is not in this workspace.
    pub async fn create_sync(
        &self,
        workspace: WorkspaceId,
        connection_id: i64,
        name: &str,
        object: CrmObject,
    ) -> Result<i64, StorageError> {
        // The connection must belong to the same workspace; the foreign key alone would accept any.
        self.find_connection(workspace, connection_id).await?;
        let sql = "insert into syncs (workspace_id, connection_id, name, object, created_at, updated_at) \
                   values ($1, $2, $3, $4, $5, $5) returning id";
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(connection_id)
            .bind(name)
            .bind(object.api_name())
            .bind(now_unix())
            .fetch_one(pool)
            .await)?;
        Ok(id)
    }

    /// Names of the workspace's syncs that push through this connection, in creation order.
    ///
    /// # Errors
    /// Database faults.
    pub async fn syncs_using_connection(
        &self,
        workspace: WorkspaceId,
        connection_id: i64,
    ) -> Result<Vec<String>, StorageError> {
        let sql =
            "select name from syncs where workspace_id = $1 and connection_id = $2 order by id";
        let names: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(connection_id)
            .fetch_all(pool)
            .await)?;
        Ok(names)
    }
}
