//! CRM → Syncs: the sync builder's server side. Every method proves a super user first and scopes every
//! read and write to that user's workspace; configurations are checked with `shared`'s rules against the
//! contact catalog and the org's live describe before anything is stored. Runs are in `runs.rs`.

use super::{author, internal, workspace_of, RequestBackend};
use crate::org_cache::{Org, OrgError};
use crate::storage::{StorageError, WorkspaceId};
use app::api::syncs::{MatchCount, SaveOutcome, SyncDetail, SyncSummary, SyncsBackend};
use app::error::ApiError;
use shared::contact::fields::FieldCatalog;
use shared::sync::changes::describe_changes;
use shared::sync::config::SyncConfig;
use shared::sync::crm::{CrmField, CrmObject};
use shared::sync::filter::Filter;
use shared::sync::status::{SyncName, SyncStatus, MAX_SYNC_NAME};
use std::sync::Arc;

impl From<OrgError> for ApiError {
    fn from(e: OrgError) -> Self {
        match e {
            OrgError::Storage(e) => e.into(),
            OrgError::Salesforce(e) => ApiError::Crm(e.to_string()),
            OrgError::Domain(e) => ApiError::Crm(e.to_string()),
            other @ OrgError::Secret(_) => internal(other),
        }
    }
}

/// Fields a sync can use: writable ones for mapping, plus lookup fields for matching.
fn usable(field: &CrmField) -> bool {
    field.createable || field.updateable || field.id_lookup
}

impl RequestBackend {
    async fn org_of(
        &self,
        workspace: WorkspaceId,
        connection_id: i64,
    ) -> Result<Arc<Org>, ApiError> {
        Ok(self.orgs.get(workspace, connection_id).await?)
    }

    async fn describe_fields(
        &self,
        workspace: WorkspaceId,
        connection_id: i64,
        object: CrmObject,
        refresh: bool,
    ) -> Result<Vec<CrmField>, ApiError> {
        let org = self.org_of(workspace, connection_id).await?;
        let describe = if refresh {
            org.describes.refresh(&org.client, object.api_name()).await
        } else {
            org.describes.get(&org.client, object.api_name()).await
        }
        .map_err(|e| ApiError::Crm(e.to_string()))?;
        let mut fields: Vec<CrmField> = describe
            .fields
            .iter()
            .filter(|f| usable(f))
            .cloned()
            .collect();
        fields.sort_by_key(|f| f.label.to_lowercase());
        Ok(fields)
    }

    async fn catalog(&self, workspace: WorkspaceId) -> Result<FieldCatalog, ApiError> {
        let properties = self.storage.list_contact_properties(workspace).await?;
        Ok(FieldCatalog::new(&properties))
    }
}

#[async_trait::async_trait]
impl SyncsBackend for RequestBackend {
    async fn list_syncs(&self) -> Result<Vec<SyncSummary>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_syncs(workspace).await?)
    }

    async fn create_sync(
        &self,
        connection_id: i64,
        object: CrmObject,
        name: SyncName,
    ) -> Result<i64, ApiError> {
        let workspace = self.super_user().await?;
        let id = self
            .storage
            .create_sync(workspace, connection_id, name.as_str(), object)
            .await?;
        tracing::info!(sync_id = id, connection_id, "sync created");
        Ok(id)
    }

    async fn get_sync(&self, sync_id: i64) -> Result<SyncDetail, ApiError> {
        let workspace = self.super_user().await?;
        let record = self.storage.find_sync(workspace, sync_id).await?;
        let versions = self.storage.sync_versions(workspace, sync_id).await?;
        Ok(SyncDetail {
            sync: record.summary,
            config: record.config,
            versions,
        })
    }

    async fn crm_fields(
        &self,
        sync_id: i64,
        object: CrmObject,
        refresh: bool,
    ) -> Result<Vec<CrmField>, ApiError> {
        let workspace = self.super_user().await?;
        let sync = self.storage.find_sync(workspace, sync_id).await?;
        self.describe_fields(workspace, sync.summary.connection_id, object, refresh)
            .await
    }

    async fn count_matching(&self, filter: Filter) -> Result<MatchCount, ApiError> {
        let workspace = self.super_user().await?;
        let catalog = self.catalog(workspace).await?;
        let rules = filter
            .check(&catalog)
            .map_err(|(index, error)| ApiError::Invalid {
                field: format!("filter.{index}"),
                reason: error.to_string(),
            })?;
        let matching = self
            .storage
            .count_matching_contacts(workspace, &rules, filter.combine)
            .await?;
        let total = self.storage.count_contacts(workspace).await?;
        Ok(MatchCount { matching, total })
    }

    async fn save_sync_config(
        &self,
        sync_id: i64,
        base_version: i64,
        config: SyncConfig,
    ) -> Result<SaveOutcome, ApiError> {
        let me = self.super_user_me().await?;
        let workspace = workspace_of(&me);
        let current = self.storage.find_sync(workspace, sync_id).await?;
        let catalog = self.catalog(workspace).await?;
        let fields = self
            .describe_fields(
                workspace,
                current.summary.connection_id,
                config.object,
                false,
            )
            .await?;
        let checked = match config.check(&catalog, &fields) {
            Ok(checked) => checked,
            Err(problems) => return Ok(SaveOutcome::Refused { problems }),
        };
        let previous = (current.summary.config_version > 0).then_some(&current.config);
        let changes = describe_changes(previous, &config);
        let version = self
            .storage
            .save_sync_config(workspace, sync_id, base_version, &config, author(&me), &changes)
            .await
            .map_err(|e| match e {
                StorageError::Stale(_) => ApiError::Conflict(
                    "Someone saved this sync after you opened it, so nothing was saved. Your changes are \
                     still on this page: note them, reload to see the other version, and apply them again."
                        .into(),
                ),
                other => other.into(),
            })?;
        tracing::info!(sync_id, version, "sync configuration saved");
        Ok(SaveOutcome::Saved {
            version,
            uses_upsert: checked.uses_upsert,
            warnings: checked.warnings,
        })
    }

    async fn rename_sync(&self, sync_id: i64, name: SyncName) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage.rename_sync(workspace, sync_id, &name).await?;
        Ok(())
    }

    async fn set_sync_status(&self, sync_id: i64, status: SyncStatus) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        let sync = self.storage.find_sync(workspace, sync_id).await?;
        if status == SyncStatus::Running && sync.summary.config_version == 0 {
            return Err(ApiError::Conflict(
                "Configure this sync and save it before starting it.".into(),
            ));
        }
        self.storage
            .set_sync_status(workspace, sync_id, status)
            .await?;
        tracing::info!(sync_id, status = status.as_str(), "sync status changed");
        Ok(())
    }

    async fn duplicate_sync(&self, sync_id: i64) -> Result<i64, ApiError> {
        let me = self.super_user_me().await?;
        let workspace = workspace_of(&me);
        let source = self.storage.find_sync(workspace, sync_id).await?;
        let name: String = format!("Copy of {}", source.summary.name)
            .chars()
            .take(MAX_SYNC_NAME)
            .collect();
        let id = self
            .storage
            .duplicate_sync(workspace, sync_id, &name, author(&me))
            .await?;
        tracing::info!(sync_id = id, from = sync_id, "sync duplicated");
        Ok(id)
    }

    async fn delete_sync(&self, sync_id: i64) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        if self.storage.active_run(workspace, sync_id).await?.is_some() {
            return Err(ApiError::Conflict(
                "A run of this sync is going: cancel it or let it finish, then delete the sync."
                    .into(),
            ));
        }
        self.storage.delete_sync(workspace, sync_id).await?;
        tracing::info!(sync_id, "sync deleted");
        Ok(())
    }
}
