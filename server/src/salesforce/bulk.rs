//! Bulk API 2.0 (doc §6): asynchronous jobs for pushes above ~2,000 rows and for large reads. Data and
//! results are CSV. Reading order: [`ingest`] (create → upload → `UploadComplete` → poll → results),
//! [`results`] (the pure CSV parsing of result rows), [`query`] (query jobs paged with `Sforce-Locator`).
//!
//! Polling is one call ([`SalesforceClient::ingest_job`], [`SalesforceClient::query_job`]) so a caller such
//! as the push engine can drive it from its own loop; `wait_*` loop for callers that just want the end,
//! pacing themselves with a [`PollPolicy`] that the client's `backoff_scale` shrinks in tests.

pub mod ingest;
pub mod query;
pub mod results;

use super::client::SalesforceClient;
use super::error::SalesforceError;
use super::wire::BulkJobInfo;
use std::time::Duration;

pub use ingest::{IngestOperation, IngestSpec};
pub use results::{
    BulkRowError, CsvRow, CsvRows, IngestRowResult, ResultKind, ResultRows, RowOutcome,
};

/// A job's lifecycle: `Open → UploadComplete → InProgress → JobComplete | Failed | Aborted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    fn parse(raw: &str) -> Result<Self, SalesforceError> {
        Ok(match raw {
            "Open" => Self::Open,
            "UploadComplete" => Self::UploadComplete,
            "InProgress" => Self::InProgress,
            "JobComplete" => Self::JobComplete,
            "Failed" => Self::Failed,
            "Aborted" => Self::Aborted,
            other => {
                return Err(SalesforceError::unexpected(format!(
                    "unknown Bulk job state {other}"
                )))
            }
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::JobComplete | Self::Failed | Self::Aborted)
    }
}

/// What a poll tells about a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: String,
    pub state: JobState,
    pub records_processed: u64,
    pub records_failed: u64,
    /// Why a `Failed` job failed.
    pub error_message: Option<String>,
}

impl TryFrom<BulkJobInfo> for JobStatus {
    type Error = SalesforceError;
    fn try_from(info: BulkJobInfo) -> Result<Self, SalesforceError> {
        Ok(Self {
            state: JobState::parse(&info.state)?,
            id: info.id,
            records_processed: info.number_records_processed.unwrap_or(0),
            records_failed: info.number_records_failed.unwrap_or(0),
            error_message: info.error_message,
        })
    }
}

/// How `wait_*` paces its polls: `first`, doubling up to `max` (the Bulk guide suggests 5 s → 60 s), and
/// at most `max_polls` before giving up with the job still running. Delays are multiplied by the client's
/// `backoff_scale`.
#[derive(Debug, Clone, Copy)]
pub struct PollPolicy {
    pub first: Duration,
    pub max: Duration,
    pub max_polls: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            max: Duration::from_secs(60),
            // About 24 hours at the 60 s cap: Bulk jobs are retried for a long time before failing.
            max_polls: 1_500,
        }
    }
}

impl SalesforceClient {
    /// Polls with `poll` until the job is terminal, or `policy.max_polls` polls have been made; returns
    /// the last status either way, so the caller checks `state`.
    async fn wait_with<F, Fut>(
        &self,
        policy: PollPolicy,
        mut poll: F,
    ) -> Result<JobStatus, SalesforceError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<JobStatus, SalesforceError>>,
    {
        let mut delay = policy.first;
        let mut polls = 1;
        loop {
            let status = poll().await?;
            if status.state.is_terminal() || polls >= policy.max_polls {
                return Ok(status);
            }
            self.pause(delay).await;
            delay = (delay * 2).min(policy.max);
            polls += 1;
        }
    }
}

/// A Bulk job id goes into URL paths: Salesforce ids are 15 or 18 ASCII letters and digits.
fn check_job_id(id: &str) -> Result<(), SalesforceError> {
    if matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(SalesforceError::Api {
            status: 404,
            code: "NOT_FOUND".into(),
            message: format!("\"{id}\" is not a Bulk job id"),
        })
    }
}
