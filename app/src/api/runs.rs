//! A sync's runs, for super users: "Sync now", the list, one run and Cancel, then review: its errors
//! grouped by code, its log a page at a time, and "Retry failed rows". The live progress and the results
//! CSV are plain routes (`/crm/runs/{id}/events`, `/crm/runs/{id}/results.csv`) because both are streams.

use super::syncs::RunSummary;
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::sync::log::LogFilter;

/// The failures of one error code in a run, with how to fix them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorGroup {
    pub code: String,
    pub count: i64,
    pub hint: String,
}

/// One contact's line in a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: i64,
    pub contact_id: i64,
    pub email: String,
    pub action: String,
    pub outcome: String,
    /// The Salesforce records written: several when an update wrote several matches.
    pub crm_records: Vec<RecordLink>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// A Salesforce record id and its page in the org; no page when the id does not look like a Salesforce
/// id or the connection's domain no longer parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    pub id: String,
    pub url: Option<String>,
}

/// A page of a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub rows: Vec<LogEntry>,
    /// The `after` of the next page, when there is one.
    pub next_after: Option<i64>,
}

/// What "Sync now" did: queued a run, or found one already going. Either way, the run to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncNowOutcome {
    pub run_id: i64,
    pub already_running: bool,
}

/// Where the page of a run lives.
pub fn run_url(sync_id: i64, run_id: i64) -> String {
    format!("/crm/syncs/{sync_id}/runs/{run_id}")
}

/// Where the live progress of a run streams from.
pub fn events_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/events")
}

/// Where a run's results download from.
pub fn results_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/results.csv")
}

/// The server side of the runs. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait RunsBackend: Send + Sync {
    /// Queues a run, or names the one already going.
    async fn sync_now(&self, sync_id: i64, full_resync: bool) -> Result<SyncNowOutcome, ApiError>;
    /// Newest first, a page before run id `before` (0: the newest page).
    async fn list_runs(&self, sync_id: i64, before: i64) -> Result<Vec<RunSummary>, ApiError>;
    async fn get_run(&self, run_id: i64) -> Result<RunSummary, ApiError>;
    /// A queued run is cancelled at once, a running one at its next batch boundary. `false` when the
    /// run had already finished.
    async fn cancel_run(&self, run_id: i64) -> Result<bool, ApiError>;
    /// The run's failures by error code, most frequent first.
    async fn run_errors(&self, run_id: i64) -> Result<Vec<ErrorGroup>, ApiError>;
    /// A page of the run's log; `filter` is already checked.
    async fn run_log(
        &self,
        run_id: i64,
        filter: LogFilter,
        after: i64,
    ) -> Result<LogPage, ApiError>;
    /// A run over the failed contacts of a finished run of a running sync.
    async fn retry_failed_rows(&self, run_id: i64) -> Result<SyncNowOutcome, ApiError>;
}

/// Queues a run (only while the sync is Running). `full_resync` pushes even unchanged contacts.
#[server(endpoint = "sync_now")]
pub async fn sync_now(sync_id: i64, full_resync: bool) -> Result<SyncNowOutcome, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.sync_now(sync_id, full_resync).await }).await
}

/// The sync's runs, newest first: `before` is the last id of the previous page (0 for the first).
#[server(endpoint = "list_runs")]
pub async fn list_runs(sync_id: i64, before: i64) -> Result<Vec<RunSummary>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_runs(sync_id, before).await }).await
}

#[server(endpoint = "get_run")]
pub async fn get_run(run_id: i64) -> Result<RunSummary, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.get_run(run_id).await }).await
}

/// Stops a run: a queued one at once, a running one at its next batch boundary with everything done so
/// far recorded. Answers whether there was still something to cancel.
#[server(endpoint = "cancel_run")]
pub async fn cancel_run(run_id: i64) -> Result<bool, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.cancel_run(run_id).await }).await
}

/// A run's failures grouped by error code, most frequent first.
#[server(endpoint = "run_errors")]
pub async fn run_errors(run_id: i64) -> Result<Vec<ErrorGroup>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.run_errors(run_id).await }).await
}

/// A page of a run's log in the order rows were recorded, after row `after` (0 for the first page).
#[server(endpoint = "run_log")]
pub async fn run_log(
    run_id: i64,
    #[server(default)] filter: LogFilter,
    after: i64,
) -> Result<LogPage, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let filter = filter.checked().map_err(|e| ApiError::Invalid {
            field: e.field().into(),
            reason: e.to_string(),
        })?;
        backend.run_log(run_id, filter, after).await
    })
    .await
}

/// Queues a run over just the contacts this run failed on (still within the sync's filters).
#[server(endpoint = "retry_failed_rows")]
pub async fn retry_failed_rows(run_id: i64) -> Result<SyncNowOutcome, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.retry_failed_rows(run_id).await }).await
}
