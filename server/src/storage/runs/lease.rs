//! The run queue as workers see it: claim the oldest queued run (or a running one whose lease lapsed) with a
//! lease, keep the lease alive, notice a cancel request, finish.
//!
//! Every statement is short and none is held open across a Salesforce call (style: "never hold a
//! transaction across the Salesforce call"). Ownership is the pair (`lease_owner`, `lease_until`): each
//! later write names the owner, so a worker that lost its lease (it stalled past `lease_until` and another
//! instance took the run over) finds its writes refused and stops.

use crate::storage::{now_unix, on_pool, Storage, StorageError, WorkspaceId};
use shared::sync::config::SyncConfig;
use shared::sync::run::RunStatus;

/// A run a worker now owns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedRun {
    pub id: i64,
    pub workspace_id: i64,
    pub sync_id: i64,
    pub config_version: i64,
    pub full_resync: bool,
    /// The last contact whose outcome is recorded: non-zero when the run is picked up again after its
    /// worker died, and the run goes on from the next contact.
    pub cursor_contact_id: i64,
    /// "Retry failed rows" of this earlier run: only the contacts it logged as failed are selected.
    pub retry_of: Option<i64>,
    /// Whether the run goes the Bulk way; `None` until its first start decides ([`Storage::set_run_bulk`]).
    pub bulk: Option<bool>,
}

impl ClaimedRun {
    pub fn workspace(&self) -> WorkspaceId {
        WorkspaceId(self.workspace_id)
    }
}

/// What a lease check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseCheck {
    /// Still ours; `cancel` says whether someone asked to cancel.
    Held { cancel: bool },
    /// Another worker owns the run now (ours lapsed), or it was finished: stop without writing.
    Lost,
}

const CLAIMED_COLUMNS: &str =
    "id, workspace_id, sync_id, config_version, full_resync, cursor_contact_id, retry_of, bulk";

/// Renews `owner`'s lease on a running run and reads its cancel flag; no row means the run is no longer
/// ours. Alone in [`Storage::renew_lease`], and first in every transaction that moves a run on.
pub(crate) const HOLD: &str = "update sync_runs set lease_until = $1, updated_at = $2 \
     where id = $3 and lease_owner = $4 and status = 'running' returning cancel_requested";

impl Storage {
    /// Claims the oldest claimable run for `owner` until `now + lease_secs`: a queued run, or a running one
    /// whose lease has lapsed (its worker died). One `update … returning`; on PostgreSQL the inner select
    /// takes the row `for update skip locked`, so instances sharing the database never claim one run twice
    /// and never wait on each other. SQLite has one writer at a time, which gives the same guarantee.
    ///
    /// **Runs into one object of one connection go one at a time, oldest first.** Two syncs pushing the
    /// same people into one org's Contacts would otherwise both look a person up, both find nothing and
    /// both insert. So a run is claimable only when no other run on the same connection and object is
    /// running (whatever its lease: a lapsed one is itself the oldest claimable) and none older is queued.
    /// Counting the older queued ones too is what makes this safe on PostgreSQL without a lock: a worker
    /// that skips a run another worker is claiming right now still sees it as queued, so it cannot take a
    /// younger one beside it. The object is the sync's current one (`syncs.object`); a run queued before
    /// its sync was switched to another object is ordered with the new object's runs.
    ///
    /// # Errors
    /// Database faults.
    pub async fn claim_run(
        &self,
        owner: &str,
        lease_secs: i64,
    ) -> Result<Option<ClaimedRun>, StorageError> {
        let lock = match self {
            Storage::Sqlite(_) => "",
            Storage::Postgres(_) => " for update of r skip locked",
        };
        let sql = format!(
            "update sync_runs set status = 'running', lease_owner = $1, lease_until = $2, \
               started_at = coalesce(started_at, $3), updated_at = $3 \
             where id = (select r.id from sync_runs r join syncs s on s.id = r.sync_id \
               where (r.status = 'queued' or (r.status = 'running' and r.lease_until <= $3)) \
               and not exists (select 1 from sync_runs o join syncs os on os.id = o.sync_id \
                 where o.id <> r.id and os.connection_id = s.connection_id and os.object = s.object \
                 and (o.status = 'running' or (o.status = 'queued' and o.id < r.id))) \
               order by r.id limit 1{lock}) \
             returning {CLAIMED_COLUMNS}"
        );
        let now = now_unix();
        let claimed: Option<ClaimedRun> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(owner)
            .bind(now + lease_secs)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(claimed)
    }

    /// Makes the running runs leased to `owner` claimable at once: called at start-up by an instance that
    /// has proved `owner` is its own identity and no other live process's (`engine::instance`), so those
    /// runs are what its previous life left when it died. Returns how many.
    ///
    /// # Errors
    /// Database faults.
    pub async fn adopt_runs(&self, owner: &str) -> Result<u64, StorageError> {
        let sql =
            "update sync_runs set lease_until = 0 where status = 'running' and lease_owner = $1";
        let adopted = on_pool!(self, pool => sqlx::query(sql)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(adopted)
    }

    /// Extends `owner`'s lease on a running run and reads its cancel flag.
    ///
    /// # Errors
    /// Database faults.
    pub async fn renew_lease(
        &self,
        run_id: i64,
        owner: &str,
        lease_secs: i64,
    ) -> Result<LeaseCheck, StorageError> {
        let now = now_unix();
        let cancel: Option<bool> = on_pool!(self, pool => sqlx::query_scalar(HOLD)
            .bind(now + lease_secs)
            .bind(now)
            .bind(run_id)
            .bind(owner)
            .fetch_optional(pool)
            .await)?;
        Ok(cancel.map_or(LeaseCheck::Lost, |cancel| LeaseCheck::Held { cancel }))
    }

    /// Records the run's totals, known once it has counted: contacts in the workspace, selected by the
    /// filters, and records of the object in the org.
    ///
    /// # Errors
    /// Database faults.
    pub async fn set_run_totals(
        &self,
        run_id: i64,
        owner: &str,
        komo_total: i64,
        selected: i64,
        crm_total: Option<i64>,
    ) -> Result<LeaseCheck, StorageError> {
        let sql = "update sync_runs set komo_total = $1, selected = $2, crm_total = $3, updated_at = $4 \
                   where id = $5 and lease_owner = $6 and status = 'running' returning cancel_requested";
        let cancel: Option<bool> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(komo_total)
            .bind(selected)
            .bind(crm_total)
            .bind(now_unix())
            .bind(run_id)
            .bind(owner)
            .fetch_optional(pool)
            .await)?;
        Ok(cancel.map_or(LeaseCheck::Lost, |cancel| LeaseCheck::Held { cancel }))
    }

    /// Records once, at the run's first start, whether it goes the Bulk way; later claims read it back in
    /// [`ClaimedRun::bulk`].
    ///
    /// # Errors
    /// Database faults.
    pub async fn set_run_bulk(
        &self,
        run_id: i64,
        owner: &str,
        bulk: bool,
    ) -> Result<LeaseCheck, StorageError> {
        let sql = "update sync_runs set bulk = $1, updated_at = $2 \
                   where id = $3 and lease_owner = $4 and status = 'running' returning cancel_requested";
        let cancel: Option<bool> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(bulk)
            .bind(now_unix())
            .bind(run_id)
            .bind(owner)
            .fetch_optional(pool)
            .await)?;
        Ok(cancel.map_or(LeaseCheck::Lost, |cancel| LeaseCheck::Held { cancel }))
    }

    /// Ends `owner`'s run with a final status (and, for failed / paused / cancelled, a sentence why).
    /// Returns false when the run was no longer ours.
    ///
    /// # Errors
    /// Database faults.
    pub async fn finish_run(
        &self,
        run_id: i64,
        owner: &str,
        status: RunStatus,
        message: Option<&str>,
    ) -> Result<bool, StorageError> {
        let sql =
            "update sync_runs set status = $1, message = $2, finished_at = $3, updated_at = $3, \
                   lease_owner = null, lease_until = null \
                   where id = $4 and lease_owner = $5 and status = 'running'";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(status.as_str())
            .bind(message)
            .bind(now_unix())
            .bind(run_id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Gives `owner`'s run back to the queue (this instance is shutting down): the next worker goes on from
    /// the run's cursor.
    ///
    /// # Errors
    /// Database faults.
    pub async fn release_run(&self, run_id: i64, owner: &str) -> Result<(), StorageError> {
        let sql =
            "update sync_runs set status = 'queued', lease_owner = null, lease_until = null, \
                   updated_at = $1 where id = $2 and lease_owner = $3 and status = 'running'";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(now_unix())
            .bind(run_id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Asks a run of this workspace to stop. A queued run is cancelled at once; a running one stops at its
    /// next batch boundary, with everything done so far recorded. Returns false when the run had already
    /// finished.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when the run is not in this workspace.
    pub async fn request_cancel(
        &self,
        workspace: WorkspaceId,
        run_id: i64,
    ) -> Result<bool, StorageError> {
        let sql = "update sync_runs set cancel_requested = true, updated_at = $1, \
                     finished_at = case when status = 'queued' then $1 else finished_at end, \
                     status = case when status = 'queued' then 'cancelled' else status end \
                   where workspace_id = $2 and id = $3 and status in ('queued', 'running')";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(now_unix())
            .bind(workspace.0)
            .bind(run_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            // Tell "finished already" from "not yours".
            self.find_run(workspace, run_id).await?;
        }
        Ok(done == 1)
    }

    /// The configuration a run uses: the version it was queued with, from the sync's history.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when that version is not stored; `Corrupt` if it does not parse.
    pub async fn sync_config_version(
        &self,
        sync_id: i64,
        version: i64,
    ) -> Result<SyncConfig, StorageError> {
        let sql = "select config from sync_versions where sync_id = $1 and version = $2";
        let config: Option<String> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(sync_id)
            .bind(version)
            .fetch_optional(pool)
            .await)?;
        let config = config.ok_or(StorageError::NotFound("sync version"))?;
        serde_json::from_str(&config)
            .map_err(|e| StorageError::Corrupt(format!("sync {sync_id} version {version}: {e}")))
    }
}
