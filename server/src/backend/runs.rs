//! A sync's runs, server side: "Sync now" and "Retry failed rows" queue one (and wake this instance's
//! engine), the list, one run and Cancel; review reads its errors by code and its log a page at a time.
//! Every method proves a super user first and reads only runs of that user's workspace. The engine
//! (`crate::engine`) does the running.

use super::{author, workspace_of, RequestBackend};
use crate::salesforce::OrgDomain;
use crate::storage::runs::log::StoredLogRow;
use crate::storage::runs::{Queued, RunRequest};
use crate::storage::WorkspaceId;
use app::api::runs::{ErrorGroup, LogEntry, LogPage, RecordLink, RunsBackend, SyncNowOutcome};
use app::api::syncs::RunSummary;
use app::error::ApiError;
use shared::sync::hints::hint;
use shared::sync::log::{LogFilter, LOG_PAGE};
use shared::sync::status::SyncStatus;
use shared::Me;

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
    /// Queues a run of a running sync at its current configuration, or names the one already going.
    /// `retry_of` limits the run to that run's failed contacts.
    async fn queue(
        &self,
        me: &Me,
        sync_id: i64,
        full_resync: bool,
        retry_of: Option<i64>,
    ) -> Result<SyncNowOutcome, ApiError> {
        let workspace = workspace_of(me);
        let sync = self.storage.find_sync(workspace, sync_id).await?;
        if sync.summary.status != SyncStatus::Running {
            return Err(ApiError::Conflict(
                "This sync is stopped: start it first, then choose Sync now.".into(),
            ));
        }
        let request = RunRequest {
            sync_id,
            config_version: sync.summary.config_version,
            full_resync,
            retry_of,
            author: author(me),
        };
        let outcome = match self.storage.queue_run(workspace, request).await? {
            Queued::New(run_id) => {
                tracing::info!(sync_id, run_id, retry_of, "run queued");
                // An idle worker of this instance starts at once; others find it when they next poll.
                self.engine_wake.notify_one();
                SyncNowOutcome {
                    run_id,
                    already_running: false,
                }
            }
            Queued::AlreadyActive(run_id) => SyncNowOutcome {
                run_id,
                already_running: true,
            },
        };
        Ok(outcome)
    }

    async fn sync_domain(&self, workspace: WorkspaceId, sync_id: i64) -> Result<String, ApiError> {
        let sync = self.storage.find_sync(workspace, sync_id).await?;
        Ok(sync.summary.connection_domain)
    }
}

#[async_trait::async_trait]
impl RunsBackend for RequestBackend {
    async fn sync_now(&self, sync_id: i64, full_resync: bool) -> Result<SyncNowOutcome, ApiError> {
        let me = self.super_user_me().await?;
        self.queue(&me, sync_id, full_resync, None).await
    }

    async fn list_runs(&self, sync_id: i64, before: i64) -> Result<Vec<RunSummary>, ApiError> {
        let workspace = self.super_user().await?;
        self.storage.find_sync(workspace, sync_id).await?;
        Ok(self.storage.list_runs(workspace, sync_id, before).await?)
    }

    async fn cancel_run(&self, run_id: i64) -> Result<bool, ApiError> {
        let workspace = self.super_user().await?;
        let cancelled = self.storage.request_cancel(workspace, run_id).await?;
        tracing::info!(run_id, cancelled, "run cancel requested");
        Ok(cancelled)
    }

    async fn get_run(&self, run_id: i64) -> Result<RunSummary, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.find_run(workspace, run_id).await?)
    }

    async fn run_errors(&self, run_id: i64) -> Result<Vec<ErrorGroup>, ApiError> {
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

    async fn run_log(
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

    async fn retry_failed_rows(&self, run_id: i64) -> Result<SyncNowOutcome, ApiError> {
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
