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
    /// Comma-separated when an update wrote several matches.
    pub crm_id: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// A page of a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub rows: Vec<LogEntry>,
    /// The `after` of the next page, when there is one.
    pub next_after: Option<i64>,
    /// Where a record of the org opens: `{record_base}/{id}`.
    pub record_base: String,
}

/// Where the live progress of a run streams from.
pub fn events_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/events")
}

/// Where a run's results download from.
pub fn results_url(run_id: i64) -> String {
    format!("/crm/runs/{run_id}/results.csv")
}

/// The browser address of a record in the org whose connection names `domain`: a bare My Domain host is a
/// real org (`https://acme.my.salesforce.com/003…` opens the record in Lightning); a full origin is an
/// extra one an operator allowed, such as the simulator.
pub fn record_base(domain: &str) -> String {
    if domain.contains("://") {
        domain.trim_end_matches('/').to_owned()
    } else {
        format!("https://{domain}")
    }
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

#[cfg(test)]
mod tests {
    use super::record_base;

    #[test]
    fn a_my_domain_host_opens_over_https_and_an_allowed_origin_as_it_is() {
        assert_eq!(
            record_base("acme.my.salesforce.com"),
            "https://acme.my.salesforce.com"
        );
        assert_eq!(
            record_base("http://127.0.0.1:3190/"),
            "http://127.0.0.1:3190"
        );
    }
}
