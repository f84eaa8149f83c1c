//! Syncs of a workspace: create, list, find, rename, start / stop, duplicate, delete. Saving a
//! configuration (with its version history) is in [`config`]; runs are in `storage::runs`.

pub mod config;
pub(crate) mod rows;

use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::syncs::SyncSummary;
use rows::SyncRow;
use shared::sync::config::SyncConfig;
use shared::sync::crm::CrmObject;
use shared::sync::status::{SyncName, SyncStatus};

/// A sync with its stored configuration.
#[derive(Debug, Clone)]
pub struct SyncRecord {
    pub summary: SyncSummary,
    pub config: SyncConfig,
}

/// The sync's columns plus its connection's domain and its newest run, for lists and pages alike.
const SYNC_SELECT: &str = "select s.id, s.name, s.object, s.status, s.config, s.config_version, \
     s.created_at, s.updated_at, s.connection_id, c.domain as connection_domain, \
     r.id as run_id, r.status as run_status, r.created_at as run_created_at, \
     r.started_at as run_started_at, r.finished_at as run_finished_at, r.updated_at as run_updated_at \
     from syncs s join crm_connections c on c.id = s.connection_id \
     left join sync_runs r on r.id = (select max(id) from sync_runs where sync_id = s.id)";

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

    /// The workspace's syncs, oldest first. A workspace has tens of syncs, not thousands: no paging.
    ///
    /// # Errors
    /// Database faults or a corrupt stored row.
    pub async fn list_syncs(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<SyncSummary>, StorageError> {
        let sql = format!("{SYNC_SELECT} where s.workspace_id = $1 order by s.id");
        let rows: Vec<SyncRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|row| row.into_record().map(|r| r.summary))
            .collect()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn find_sync(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
    ) -> Result<SyncRecord, StorageError> {
        let sql = format!("{SYNC_SELECT} where s.workspace_id = $1 and s.id = $2");
        let row: Option<SyncRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(sync_id)
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StorageError::NotFound("sync"))?.into_record()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn rename_sync(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        name: &SyncName,
    ) -> Result<(), StorageError> {
        self.update_sync_column(workspace, sync_id, "name", name.as_str())
            .await
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn set_sync_status(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        status: SyncStatus,
    ) -> Result<(), StorageError> {
        self.update_sync_column(workspace, sync_id, "status", status.as_str())
            .await
    }

    /// `column` is one of this module's literals, never user input.
    async fn update_sync_column(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        column: &'static str,
        value: &str,
    ) -> Result<(), StorageError> {
        let sql = format!(
            "update syncs set {column} = $1, updated_at = $2 where workspace_id = $3 and id = $4"
        );
        let done = on_pool!(self, pool => sqlx::query(&sql)
            .bind(value)
            .bind(now_unix())
            .bind(workspace.0)
            .bind(sync_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StorageError::NotFound("sync"));
        }
        Ok(())
    }

    /// Deletes the sync with its versions and runs.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn delete_sync(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
    ) -> Result<(), StorageError> {
        let sql = "delete from syncs where workspace_id = $1 and id = $2";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(workspace.0)
            .bind(sync_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StorageError::NotFound("sync"));
        }
        Ok(())
    }
}
