//! CRM → Syncs, for super users: list, create, configure, rename, start / stop, duplicate, delete. Runs
//! ("Sync now" and after) are in [`super::runs`]. A configuration and a filter are nested lists, so the two
//! functions that take one take JSON input ([`JsonArg`]); the server checks them with `shared`'s rules.

use super::json_arg::JsonArg;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use shared::sync::config::{Problem, SyncConfig};
use shared::sync::crm::{CrmField, CrmObject};
use shared::sync::filter::Filter;
use shared::sync::run::{RunCounters, RunStatus};
use shared::sync::status::SyncStatus;

/// One run as lists show it (the runs' own functions are in [`super::runs`]; storage reads runs into this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub sync_id: i64,
    /// The sync's internal name as it is now (for the run page's way back).
    pub sync_name: String,
    pub status: RunStatus,
    pub config_version: i64,
    pub full_resync: bool,
    /// "Retry failed rows" of this earlier run.
    pub retry_of: Option<i64>,
    pub started_by_name: String,
    /// Unix seconds.
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    /// Why it failed or paused.
    pub message: Option<String>,
    pub counters: RunCounters,
}

impl RunSummary {
    /// Seconds from start to finish (or to the last update while it runs); `None` before it starts.
    pub fn duration_secs(&self) -> Option<i64> {
        let start = self.started_at?;
        Some((self.finished_at.unwrap_or(self.updated_at) - start).max(0))
    }
}

/// The last run as the syncs list shows it: outcome, when, how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    pub id: i64,
    pub status: RunStatus,
    pub at: i64,
    pub duration_secs: Option<i64>,
}

/// One sync as the list and its page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub id: i64,
    pub name: String,
    pub connection_id: i64,
    /// The org's My Domain, naming the CRM connection.
    pub connection_domain: String,
    pub object: CrmObject,
    pub status: SyncStatus,
    /// 0 until the first Save.
    pub config_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_run: Option<LastRun>,
}

/// One saved version of a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncVersion {
    pub version: i64,
    pub changed_by_name: String,
    pub created_at: i64,
    pub changes: Vec<String>,
}

/// Everything the sync page and the configuration page start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDetail {
    pub sync: SyncSummary,
    pub config: SyncConfig,
    /// Newest first.
    pub versions: Vec<SyncVersion>,
}

/// "2,314 of 48,120 contacts".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCount {
    pub matching: i64,
    pub total: i64,
}

/// What Save did: a new version, or the problems that kept it from saving (nothing was changed then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        version: i64,
        uses_upsert: bool,
        warnings: Vec<Problem>,
    },
    Refused {
        problems: Vec<Problem>,
    },
}

/// Where the page of a sync lives.
pub fn sync_url(sync_id: i64) -> String {
    format!("/crm/syncs/{sync_id}")
}

pub fn configure_url(sync_id: i64) -> String {
    format!("/crm/syncs/{sync_id}/configure")
}

/// The server side of the syncs pages. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SyncsBackend: Send + Sync {
    /// The workspace's syncs with their last runs, oldest first.
    async fn list_syncs(&self) -> Result<Vec<SyncSummary>, ApiError>;
    /// A stopped sync on one of the workspace's connections.
    async fn create_sync(
        &self,
        connection_id: i64,
        object: CrmObject,
        name: shared::sync::status::SyncName,
    ) -> Result<i64, ApiError>;
    async fn get_sync(&self, sync_id: i64) -> Result<SyncDetail, ApiError>;
    /// The sync's org's fields of `object`, writable ones only.
    async fn crm_fields(
        &self,
        sync_id: i64,
        object: CrmObject,
        refresh: bool,
    ) -> Result<Vec<CrmField>, ApiError>;
    async fn count_matching(&self, filter: Filter) -> Result<MatchCount, ApiError>;
    /// Checks against the catalog and the live describe, then keeps a new version.
    async fn save_sync_config(
        &self,
        sync_id: i64,
        base_version: i64,
        config: SyncConfig,
    ) -> Result<SaveOutcome, ApiError>;
    async fn rename_sync(
        &self,
        sync_id: i64,
        name: shared::sync::status::SyncName,
    ) -> Result<(), ApiError>;
    /// A sync starts only once it has a saved configuration.
    async fn set_sync_status(&self, sync_id: i64, status: SyncStatus) -> Result<(), ApiError>;
    async fn duplicate_sync(&self, sync_id: i64) -> Result<i64, ApiError>;
    /// Refused while a run is going.
    async fn delete_sync(&self, sync_id: i64) -> Result<(), ApiError>;
}

#[server(endpoint = "list_syncs")]
pub async fn list_syncs() -> Result<Vec<SyncSummary>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_syncs().await }).await
}

/// Creates a stopped sync on a connection; `object` is `Contact` or `Lead`. Returns its id.
#[server(endpoint = "create_sync")]
pub async fn create_sync(
    connection_id: i64,
    object: String,
    name: String,
) -> Result<i64, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let object = parse_object(&object)?;
        let name = parse_name(&name)?;
        backend.create_sync(connection_id, object, name).await
    })
    .await
}

#[server(endpoint = "get_sync")]
pub async fn get_sync(sync_id: i64) -> Result<SyncDetail, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.get_sync(sync_id).await }).await
}

/// The writable fields of `object` in the sync's org, from the cached describe; `refresh` asks Salesforce
/// again (after an admin added a field, say).
#[server(endpoint = "crm_fields")]
pub async fn crm_fields(
    sync_id: i64,
    object: String,
    refresh: bool,
) -> Result<Vec<CrmField>, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let object = parse_object(&object)?;
        backend.crm_fields(sync_id, object, refresh).await
    })
    .await
}

/// How many contacts a filter selects, of all the workspace's.
#[server(endpoint = "count_matching", input = Json)]
pub async fn count_matching(filter: JsonArg<Filter>) -> Result<MatchCount, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let filter = filter.read("filter", "the filter could not be read")?;
        backend.count_matching(filter).await
    })
    .await
}

/// Checks and saves a configuration. `base_version` is the version the page loaded: if someone saved
/// since, nothing is overwritten and the caller is told.
#[server(endpoint = "save_sync_config", input = Json)]
pub async fn save_sync_config(
    sync_id: i64,
    base_version: i64,
    config: JsonArg<SyncConfig>,
) -> Result<SaveOutcome, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let config = config.read("config", "the configuration could not be read")?;
        backend
            .save_sync_config(sync_id, base_version, config)
            .await
    })
    .await
}

#[server(endpoint = "rename_sync")]
pub async fn rename_sync(sync_id: i64, name: String) -> Result<(), ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let name = parse_name(&name)?;
        backend.rename_sync(sync_id, name).await
    })
    .await
}

/// `running`: true to start, false to stop.
#[server(endpoint = "set_sync_running")]
pub async fn set_sync_running(sync_id: i64, running: bool) -> Result<(), ApiError> {
    use super::{backend, respond};
    let status = if running {
        SyncStatus::Running
    } else {
        SyncStatus::Stopped
    };
    respond(async { backend()?.set_sync_status(sync_id, status).await }).await
}

/// A stopped copy named "Copy of …", with the same configuration. Returns its id.
#[server(endpoint = "duplicate_sync")]
pub async fn duplicate_sync(sync_id: i64) -> Result<i64, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.duplicate_sync(sync_id).await }).await
}

#[server(endpoint = "delete_sync")]
pub async fn delete_sync(sync_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.delete_sync(sync_id).await }).await
}

#[cfg(feature = "ssr")]
fn parse_object(raw: &str) -> Result<CrmObject, ApiError> {
    CrmObject::from_api_name(raw).ok_or_else(|| ApiError::Invalid {
        field: "object".into(),
        reason: "Data source: choose Contact or Lead".into(),
    })
}

#[cfg(feature = "ssr")]
fn parse_name(raw: &str) -> Result<shared::sync::status::SyncName, ApiError> {
    shared::sync::status::SyncName::parse(raw).map_err(|e| ApiError::Invalid {
        field: "name".into(),
        reason: e.to_string(),
    })
}
