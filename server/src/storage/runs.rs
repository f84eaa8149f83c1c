//! Runs of syncs: the durable queue "Sync now" writes to and the record pages read. The push engine claims
//! queued runs and updates their counters; this module is where every run query lives.
//!
//! Submodules: [`lease`] (claim with a lease, heartbeat, cancel, finish: the queue as workers see it),
//! [`log`] (a batch of per-contact rows, the counters and the per-contact push state, in one short
//! transaction), [`review`] (the log read back: filtered pages, errors by code, the download), [`unchanged`]
//! (the contacts a run found unchanged, kept as one list per batch rather than a row each) and [`bulk`]
//! (a Bulk run's scratch space: staged writes, jobs, answers, the CRM index).

pub mod bulk;
pub mod lease;
pub mod log;
pub mod review;
pub mod unchanged;

use super::error::OnUnique;
use super::syncs::config::Author;
use super::syncs::rows::parse_run_status;
use super::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use app::api::syncs::RunSummary;
use shared::sync::run::{RunCounters, RUNS_PAGE};

/// What queueing found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    New(i64),
    /// The sync already has a queued or running run: this one.
    AlreadyActive(i64),
}

/// How a run is asked for.
#[derive(Debug, Clone, Copy)]
pub struct RunRequest<'a> {
    pub sync_id: i64,
    pub config_version: i64,
    pub full_resync: bool,
    /// "Retry failed rows" of this earlier run.
    pub retry_of: Option<i64>,
    pub author: Author<'a>,
}

pub(crate) const RUN_COLUMNS: &str = "id, sync_id, \
     coalesce((select name from syncs where syncs.id = sync_runs.sync_id), '') as sync_name, \
     status, config_version, full_resync, retry_of, started_by_name, created_at, started_at, finished_at, \
     updated_at, message, komo_total, selected, crm_total, processed, \
     inserted_ok, inserted_failed, updated_ok, updated_failed, skipped, unchanged, invalid";

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    id: i64,
    sync_id: i64,
    sync_name: String,
    status: String,
    config_version: i64,
    full_resync: bool,
    retry_of: Option<i64>,
    started_by_name: String,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
    message: Option<String>,
    komo_total: i64,
    selected: i64,
    crm_total: Option<i64>,
    processed: i64,
    inserted_ok: i64,
    inserted_failed: i64,
    updated_ok: i64,
    updated_failed: i64,
    skipped: i64,
    unchanged: i64,
    invalid: i64,
}

impl TryFrom<RunRow> for RunSummary {
    type Error = StorageError;
    fn try_from(row: RunRow) -> Result<Self, StorageError> {
        Ok(RunSummary {
            id: row.id,
            sync_id: row.sync_id,
            sync_name: row.sync_name,
            status: parse_run_status(&row.status)?,
            config_version: row.config_version,
            full_resync: row.full_resync,
            retry_of: row.retry_of,
            started_by_name: row.started_by_name,
            created_at: row.created_at,
            started_at: row.started_at,
            finished_at: row.finished_at,
            updated_at: row.updated_at,
            message: row.message,
            counters: RunCounters {
                komo_total: row.komo_total,
                selected: row.selected,
                crm_total: row.crm_total,
                processed: row.processed,
                inserted_ok: row.inserted_ok,
                inserted_failed: row.inserted_failed,
                updated_ok: row.updated_ok,
                updated_failed: row.updated_failed,
                skipped: row.skipped,
                unchanged: row.unchanged,
                invalid: row.invalid,
            },
        })
    }
}

impl Storage {
    /// Queues a run of a sync of this workspace, unless one is already queued or running: the database's
    /// one-active-run index decides, so two clicks on two instances cannot both queue one.
    ///
    /// # Errors
    /// Database faults.
    pub async fn queue_run(
        &self,
        workspace: WorkspaceId,
        request: RunRequest<'_>,
    ) -> Result<Queued, StorageError> {
        let sql =
            "insert into sync_runs (workspace_id, sync_id, config_version, full_resync, retry_of, \
                   started_by, started_by_name, created_at, updated_at) \
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id";
        let inserted: Result<i64, StorageError> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(request.sync_id)
            .bind(request.config_version)
            .bind(request.full_resync)
            .bind(request.retry_of)
            .bind(request.author.user_id)
            .bind(request.author.name)
            .bind(now_unix())
            .fetch_one(pool)
            .await
            .on_unique("run"));
        match inserted {
            Ok(id) => Ok(Queued::New(id)),
            Err(StorageError::Duplicate(_)) => {
                let active = self.active_run(workspace, request.sync_id).await?;
                // The active run may have finished between the insert and this read: then try once more.
                match active {
                    Some(id) => Ok(Queued::AlreadyActive(id)),
                    None => Box::pin(self.queue_run(workspace, request)).await,
                }
            }
            Err(other) => Err(other),
        }
    }

    /// The sync's queued or running run, if any.
    ///
    /// # Errors
    /// Database faults.
    pub async fn active_run(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
    ) -> Result<Option<i64>, StorageError> {
        let sql = "select id from sync_runs where workspace_id = $1 and sync_id = $2 \
                   and status in ('queued', 'running')";
        let id: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(workspace.0)
            .bind(sync_id)
            .fetch_optional(pool)
            .await)?;
        Ok(id)
    }

    /// A page of the sync's runs, newest first, older than run `before` (0: the newest page).
    ///
    /// # Errors
    /// Database faults or a corrupt row.
    pub async fn list_runs(
        &self,
        workspace: WorkspaceId,
        sync_id: i64,
        before: i64,
    ) -> Result<Vec<RunSummary>, StorageError> {
        let before = if before <= 0 { i64::MAX } else { before };
        let sql = format!(
            "select {RUN_COLUMNS} from sync_runs where workspace_id = $1 and sync_id = $2 and id < $3 \
             order by id desc limit {RUNS_PAGE}"
        );
        let rows: Vec<RunRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(sync_id)
            .bind(before)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(RunSummary::try_from).collect()
    }

    /// # Errors
    /// [`StorageError::NotFound`] when the run is not in this workspace.
    pub async fn find_run(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
    ) -> Result<RunSummary, StorageError> {
        let sql =
            format!("select {RUN_COLUMNS} from sync_runs where workspace_id = $1 and id = $2");
        let row: Option<RunRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(workspace.0)
            .bind(run_id)
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StorageError::NotFound("run"))?.try_into()
    }
}
