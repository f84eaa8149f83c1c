//! Saving a sync's configuration keeps a version: who, when, what changed, and the whole document, so a
//! run can record exactly which version it pushed with.

use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::syncs::SyncVersion;
use shared::sync::config::SyncConfig;

/// Who saved.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub user_id: i64,
    pub name: &'a str,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    changed_by_name: String,
    created_at: i64,
    changes: String,
}

fn encode(config: &SyncConfig) -> Result<String, StorageError> {
    serde_json::to_string(config).map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn encode_changes(changes: &[String]) -> Result<String, StorageError> {
    serde_json::to_string(changes).map_err(|e| StorageError::Corrupt(e.to_string()))
}

const INSERT_VERSION: &str = "insert into sync_versions \
     (sync_id, version, config, changed_by, changed_by_name, changes, created_at) \
     values ($1, $2, $3, $4, $5, $6, $7)";

impl Storage {
    /// Stores `config` as the version after `base_version` and returns the new version number.
    ///
    /// # Errors
    /// [`StorageError::Stale`] when someone saved since `base_version` (nothing is written then);
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn save_sync_config(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        base_version: i64,
        config: &SyncConfig,
        author: Author<'_>,
        changes: &[String],
    ) -> Result<i64, StorageError> {
        let document = encode(config)?;
        let changes = encode_changes(changes)?;
        let version = base_version + 1;
        let now = now_unix();
        // The version check and the history row commit together: a lost race leaves no trace.
        let update =
            "update syncs set config = $1, config_version = $2, object = $3, updated_at = $4 \
                      where workspace_id = $5 and id = $6 and config_version = $7";
        let updated = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(update)
                .bind(&document)
                .bind(version)
                .bind(config.object.api_name())
                .bind(now)
                .bind(workspace.0)
                .bind(sync_id)
                .bind(base_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 1 {
                sqlx::query(INSERT_VERSION)
                    .bind(sync_id)
                    .bind(version)
                    .bind(&document)
                    .bind(author.user_id)
                    .bind(author.name)
                    .bind(&changes)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<u64, sqlx::Error>(updated)
        })?;
        if updated == 0 {
            // Tell "gone" from "moved on" so the page can say the right thing.
            self.find_sync(workspace, sync_id).await?;
            return Err(StorageError::Stale("sync"));
        }
        Ok(version)
    }

    /// The sync's saved versions, newest first.
    ///
    /// # Errors
    /// Database faults or a corrupt stored row.
    pub async fn sync_versions(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
    ) -> Result<Vec<SyncVersion>, StorageError> {
        let sql =
            "select v.version, v.changed_by_name, v.created_at, v.changes from sync_versions v \
                   join syncs s on s.id = v.sync_id \
                   where s.workspace_id = $1 and v.sync_id = $2 order by v.version desc";
        let rows: Vec<VersionRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(workspace.0)
            .bind(sync_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|row| {
                let changes = serde_json::from_str(&row.changes)
                    .map_err(|e| StorageError::Corrupt(format!("version changes: {e}")))?;
                Ok(SyncVersion {
                    version: row.version,
                    changed_by_name: row.changed_by_name,
                    created_at: row.created_at,
                    changes,
                })
            })
            .collect()
    }

    /// A stopped copy of the sync under `name`, with the same connection and configuration; its history
    /// starts with one version that says where it came from. Runs are not copied.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the sync is not in this workspace.
    pub async fn duplicate_sync(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        name: &str,
        author: Author<'_>,
    ) -> Result<i64, StorageError> {
        let source = self.find_sync(workspace, sync_id).await?;
        let saved = source.summary.config_version > 0;
        let document = encode(&source.config)?;
        let version = i64::from(saved);
        let changes = encode_changes(&[format!(
            "Copied from \"{}\" (version {})",
            source.summary.name, source.summary.config_version
        )])?;
        let now = now_unix();
        let insert = "insert into syncs (workspace_id, connection_id, name, object, status, config, \
                      config_version, created_at, updated_at) values ($1, $2, $3, $4, 'stopped', $5, $6, $7, $7) \
                      returning id";
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(workspace.0)
                .bind(source.summary.connection_id)
                .bind(name)
                .bind(source.summary.object.api_name())
                .bind(&document)
                .bind(version)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            if saved {
                sqlx::query(INSERT_VERSION)
                    .bind(id)
                    .bind(version)
                    .bind(&document)
                    .bind(author.user_id)
                    .bind(author.name)
                    .bind(&changes)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        })?;
        Ok(id)
    }
}
