//! The engine's outer loop: claim a run, execute it, record how it ended, repeat.
//!
//! [`Engine::run_once`] is one claim → run → finish cycle returning [`Step::EmptyQueue`] or
//! [`Step::RunFinished`], so tests drain the queue by calling it (or [`Engine::drain`]) without sleeping
//! (zero2prod's `try_execute_task`). [`Engine::work`] is the background loop `startup` spawns
//! `KOMO_WORKERS` times: it registers on a [`Notify`] *before* looking at the queue (so a wake-up between
//! the look and the wait is not lost), is woken by "Sync now", and polls every [`POLL`] as a fallback for
//! runs queued by another instance (crates.io's worker does the same).
//!
//! Each engine has its own lease owner id; several instances on one PostgreSQL share the queue through
//! `Storage::claim_run`'s `for update skip locked`.

use super::run::{execute, End};
use crate::config::PushSettings;
use crate::org_cache::OrgCache;
use crate::storage::runs::lease::LeaseCheck;
use crate::storage::{Storage, StorageError};
use shared::sync::run::RunStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How long a claim lasts without renewal. Short, because a heartbeat ([`HEARTBEAT`]) renews it for as long
/// as the worker's process lives, however long one batch or one Bulk job takes: a dead instance's run is
/// taken over by another within this plus one [`POLL`] (issue #14 asks for 30 s), and a restarted one
/// takes its own back at once ([`super::instance`]). Every write of a run still checks the lease in its
/// transaction, so a worker that lost it (cut off from the database for this long) writes nothing more.
pub const LEASE_SECS: i64 = 20;
/// How often a claimed run's lease is renewed while it is worked on.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// How often an idle worker looks at the queue without being woken.
pub const POLL: Duration = Duration::from_secs(5);

/// What one [`Engine::run_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    EmptyQueue,
    /// A run was claimed and taken as far as this worker could: `status` is how it ended, `None` when it
    /// was handed on (lease lost, or given back at shutdown).
    RunFinished {
        run_id: i64,
        status: Option<RunStatus>,
    },
}

/// Stops the task it holds when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Inner {
    storage: Storage,
    orgs: Arc<OrgCache>,
    settings: PushSettings,
    owner: String,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

/// A handle on the push engine of this instance; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// `wake` is the [`Notify`] "Sync now" pokes; `owner` names this instance's leases
    /// ([`super::instance::Identity`]).
    pub fn new(
        storage: Storage,
        orgs: Arc<OrgCache>,
        settings: PushSettings,
        wake: Arc<Notify>,
        owner: String,
    ) -> Self {
        let (stop, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                storage,
                orgs,
                settings,
                owner,
                wake,
                stop,
            }),
        }
    }

    /// Renews `run_id`'s lease every [`HEARTBEAT`] until the returned guard is dropped (the run ended) or
    /// the lease is found lost.
    fn heartbeat(&self, run_id: i64) -> AbortOnDrop {
        let engine = self.clone();
        AbortOnDrop(tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                match engine
                    .storage()
                    .renew_lease(run_id, engine.owner(), LEASE_SECS)
                    .await
                {
                    Ok(LeaseCheck::Held { .. }) => {}
                    Ok(LeaseCheck::Lost) => return,
                    Err(error) => tracing::warn!(%error, run_id, "lease heartbeat failed"),
                }
            }
        }))
    }

    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    pub fn orgs(&self) -> &OrgCache {
        &self.inner.orgs
    }

    pub fn settings(&self) -> &PushSettings {
        &self.inner.settings
    }

    /// This engine's lease owner id.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    pub fn lease_secs(&self) -> i64 {
        LEASE_SECS
    }

    /// Whether [`Self::shutdown`] was called: a run in progress is given back at its next batch boundary.
    pub fn stopping(&self) -> bool {
        *self.inner.stop.borrow()
    }

    /// Stops the background loops; each gives its run back to the queue at the next batch boundary.
    pub fn shutdown(&self) {
        self.inner.stop.send_replace(true);
        self.inner.wake.notify_waiters();
    }

    /// Claims one run and takes it to its end.
    ///
    /// # Errors
    /// Database faults. A run interrupted by one keeps its lease until it lapses, then any worker picks it
    /// up again from its cursor.
    #[tracing::instrument(skip_all, fields(owner = %self.owner()))]
    pub async fn run_once(&self) -> Result<Step, StorageError> {
        let storage = self.storage();
        if self.stopping() {
            return Ok(Step::EmptyQueue);
        }
        let Some(run) = storage.claim_run(self.owner(), LEASE_SECS).await? else {
            return Ok(Step::EmptyQueue);
        };
        tracing::info!(
            run_id = run.id,
            sync_id = run.sync_id,
            resumed_after = run.cursor_contact_id,
            "run claimed"
        );
        let heartbeat = self.heartbeat(run.id);
        let executed = execute(self, &run).await;
        drop(heartbeat);
        let end = match executed {
            // The sync (and with it the run) was deleted meanwhile: nothing left to record.
            Err(StorageError::NotFound(what)) => {
                tracing::info!(run_id = run.id, what, "run abandoned: deleted meanwhile");
                End::LostLease
            }
            other => other?,
        };
        let status = match end {
            End::Done(status, message) => {
                let ours = storage
                    .finish_run(run.id, self.owner(), status, message.as_deref())
                    .await?;
                if ours {
                    // A Bulk run's staged writes, jobs and index are of no use once it has ended.
                    storage.drop_run_scratch(run.id).await?;
                }
                tracing::info!(run_id = run.id, status = status.as_str(), "run ended");
                ours.then_some(status)
            }
            End::LostLease => {
                tracing::warn!(run_id = run.id, "lost the run's lease to another worker");
                None
            }
            End::Released => {
                storage.release_run(run.id, self.owner()).await?;
                tracing::info!(run_id = run.id, "run given back to the queue at shutdown");
                None
            }
        };
        Ok(Step::RunFinished {
            run_id: run.id,
            status,
        })
    }

    /// Runs [`Self::run_once`] until the queue is empty; what each run ended as, in order.
    ///
    /// # Errors
    /// As [`Self::run_once`].
    pub async fn drain(&self) -> Result<Vec<(i64, Option<RunStatus>)>, StorageError> {
        let mut done = Vec::new();
        loop {
            match self.run_once().await? {
                Step::EmptyQueue => return Ok(done),
                Step::RunFinished { run_id, status } => done.push((run_id, status)),
            }
        }
    }

    /// The background loop: until [`Self::shutdown`].
    pub async fn work(self) {
        if let Err(error) = self.storage().sweep_run_scratch().await {
            tracing::error!(%error, "push engine: could not empty ended runs' scratch tables");
        }
        let mut stop = self.inner.stop.subscribe();
        loop {
            let notified = self.inner.wake.notified();
            tokio::pin!(notified);
            // Registered before the queue is read: a "Sync now" from here on wakes this loop.
            notified.as_mut().enable();
            if self.stopping() {
                return;
            }
            match self.run_once().await {
                Ok(Step::RunFinished { .. }) => continue,
                Ok(Step::EmptyQueue) => {}
                Err(error) => tracing::error!(%error, "push engine: database fault; retrying"),
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
