//! Ingest jobs an ended run left in Salesforce. A run that pauses on the request limit (or fails) while a
//! job of its is still processing cannot wait for it; Salesforce finishes the job anyway. The next run
//! into the same object — runs there go one at a time — waits for such jobs before it counts or looks
//! anything up, so it sees their records and cannot insert them a second time. A job still Open was never
//! closed and never runs: it is aborted to be sure.

use super::super::run::End;
use super::super::worker::Engine;
use crate::engine::failure::{classify, Failure};
use crate::org_cache::Org;
use crate::salesforce::bulk::JobState;
use crate::storage::runs::lease::{ClaimedRun, LeaseCheck};
use crate::storage::StorageError;
use shared::sync::run::RunStatus;
use std::time::Duration;

/// Waits for every leftover job on the claimed run's object; `Some(end)` when the run must end instead
/// (the request limit again, a cancel, a lost lease).
///
/// # Errors
/// Database faults.
pub(crate) async fn wait_for_leftovers(
    engine: &Engine,
    claimed: &ClaimedRun,
    org: &Org,
) -> Result<Option<End>, StorageError> {
    let storage = engine.storage();
    for (run_id, job_id) in storage.leftover_jobs(claimed.sync_id).await? {
        let mut delay = Duration::from_secs(2);
        loop {
            match org.client.ingest_job(&job_id).await {
                Ok(status) if status.state == JobState::Open => {
                    let _ = org.client.abort_ingest_job(&job_id).await;
                    break;
                }
                Ok(status) if status.state.is_terminal() => break,
                Ok(_) => {}
                Err(error) => match classify(&error) {
                    Failure::Halt(halt) => return Ok(Some(halt.into())),
                    // Unknown to Salesforce (expired after 7 days): nothing left to wait for.
                    Failure::Records { .. } => break,
                },
            }
            match storage
                .renew_lease(claimed.id, engine.owner(), engine.lease_secs())
                .await?
            {
                LeaseCheck::Lost => return Ok(Some(End::LostLease)),
                LeaseCheck::Held { cancel: true } => {
                    return Ok(Some(End::Done(
                        RunStatus::Cancelled,
                        Some("Cancelled before anything was sent.".into()),
                    )))
                }
                LeaseCheck::Held { cancel: false } => {}
            }
            org.client.pause(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
        storage.forget_job(run_id, &job_id).await?;
        tracing::info!(
            run_id = claimed.id,
            left_by = run_id,
            job_id,
            "waited for a Bulk job an earlier run left in Salesforce"
        );
    }
    Ok(None)
}
