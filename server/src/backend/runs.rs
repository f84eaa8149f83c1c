//! Run review's server side: errors by code, the log a page at a time, and "Retry failed rows". Every
//! method proves a super user first and reads only runs of that user's workspace.

use super::RequestBackend;
use crate::salesforce::OrgDomain;
use crate::storage::runs::log::StoredLogRow;
use crate::storage::WorkspaceId;
use app::api::runs::{ErrorGroup, LogEntry, LogPage, RecordLink};
use app::api::syncs::SyncNowOutcome;
use app::error::ApiError;
use shared::sync::hints::hint;
use shared::sync::log::{LogFilter, LOG_PAGE};

/// A log row as the run page shows it, its record ids linked into `org` (`None`: shown, not linked).
fn log_entry(row: StoredLogRow, org: Option<&OrgDomain>) -> LogEntry {
    let crm_records = row
        .crm_id
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| RecordLink {
            id: id.to_owned(),
            url: org.and_then(|o| o.record_url(id)),
        })
        .collect();
    LogEntry {
        id: row.id,
        contact_id: row.contact_id,
        email: row.email,
        action: row.action,
        outcome: row.outcome,
        crm_records,
        error_code: row.error_code,
        message: row.message,
    }
}

impl RequestBackend {
    pub(super) async fn run_errors_impl(&self, run_id: i64) -> Result<Vec<ErrorGroup>, ApiError> {
        let workspace = self.super_user().await?;
        let counts = self.storage.run_error_counts(workspace, run_id).await?;
        Ok(counts
            .into_iter()
            .map(|(code, count)| ErrorGroup {
                hint: hint(&code).to_owned(),
                code,
                count,
            })
            .collect())
    }

    pub(super) async fn run_log_impl(
        &self,
        run_id: i64,
        filter: LogFilter,
        after: i64,
    ) -> Result<LogPage, ApiError> {
        let workspace = self.super_user().await?;
        let run = self.storage.find_run(workspace, run_id).await?;
        // One more row than a page tells whether there is a next page without counting.
        let mut rows = self
            .storage
            .log_rows(run_id, &filter, after.max(0), LOG_PAGE + 1)
            .await?;
        let next_after = if rows.len() as i64 > LOG_PAGE {
            rows.truncate(LOG_PAGE as usize);
            rows.last().map(|r| r.id)
        } else {
            None
        };
        let domain = self.sync_domain(workspace, run.sync_id).await?;
        // As on the contact page: a domain that no longer parses (an extra origin dropped since) leaves
        // the ids unlinked.
        let org = OrgDomain::parse(&domain, &self.salesforce.extra_allowed).ok();
        Ok(LogPage {
            rows: rows
                .into_iter()
                .map(|row| log_entry(row, org.as_ref()))
                .collect(),
            next_after,
        })
    }

    async fn sync_domain(&self, workspace: WorkspaceId, sync_id: i64) -> Result<String, ApiError> {
        let sync = self.storage.find_sync(workspace, sync_id).await?;
        Ok(sync.summary.connection_domain)
    }

    pub(super) async fn retry_failed_rows_impl(
        &self,
        run_id: i64,
    ) -> Result<SyncNowOutcome, ApiError> {
        let me = self.super_user_me().await?;
        let workspace = WorkspaceId(me.workspace.id);
        let run = self.storage.find_run(workspace, run_id).await?;
        if run.status.is_active() {
            return Err(ApiError::Conflict(
                "This run is still going: retry its failed rows once it has finished.".into(),
            ));
        }
        if run.counters.failed() == 0 {
            return Err(ApiError::Conflict(
                "This run has no failed rows to retry.".into(),
            ));
        }
        self.queue(&me, run.sync_id, false, Some(run_id)).await
    }
}
