//! Run review, for super users: a run's errors grouped by code, its log a page at a time, and "Retry
//! failed rows". The live progress and the results CSV are plain routes (`/crm/runs/{id}/events`,
//! `/crm/runs/{id}/results.csv`) because both are streams.

use super::syncs::SyncNowOutcome;
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

/// Where the live progress of a run streams from.
pub fn events_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/events")
}

/// Where a run's results download from.
pub fn results_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/results.csv")
}

/// A run's failures grouped by error code, most frequent first.
#[server(endpoint = "run_errors")]
pub async fn run_errors(run_id: i64) -> Result<Vec<ErrorGroup>, ApiError> {
    use super::{backend, respond};
    respond(backend()?.run_errors(run_id).await)
}

/// A page of a run's log in the order rows were recorded, after row `after` (0 for the first page).
#[server(endpoint = "run_log")]
pub async fn run_log(
    run_id: i64,
    #[server(default)] filter: LogFilter,
    after: i64,
) -> Result<LogPage, ApiError> {
    use super::{backend, respond};
    let b = backend()?;
    respond(b.require_super_user().await)?;
    let filter = respond(filter.checked().map_err(|e| ApiError::Invalid {
        field: e.field().into(),
        reason: e.to_string(),
    }))?;
    respond(b.run_log(run_id, filter, after).await)
}

/// Queues a run over just the contacts this run failed on (still within the sync's filters).
#[server(endpoint = "retry_failed_rows")]
pub async fn retry_failed_rows(run_id: i64) -> Result<SyncNowOutcome, ApiError> {
    use super::{backend, respond};
    respond(backend()?.retry_failed_rows(run_id).await)
}
