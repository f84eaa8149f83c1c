//! What every handler shares.

use crate::bulk::Jobs;
use crate::org::Org;
use parking_lot::Mutex;
use serde::Serialize;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio::sync::watch;

/// One request as the simulator saw it (control-API calls are not logged).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// How long the simulator took to answer, simulated latency included: with [`Shared::job_micros`],
    /// what a benchmark subtracts from its wall time to see the client's own share.
    pub micros: u64,
}

#[derive(Debug)]
pub struct Shared {
    pub org: Mutex<Org>,
    pub jobs: Mutex<Jobs>,
    pub log: Mutex<Vec<LoggedRequest>>,
    /// `http(s)://127.0.0.1:PORT`, known once the listener is bound.
    pub base_url: String,
    /// Bumped whenever a Bulk job reaches a terminal state, so tests can wait
    /// for jobs without sleeping.
    pub jobs_changed: watch::Sender<u64>,
    /// Time spent processing Bulk ingest jobs in the background (they run between requests), in µs;
    /// cleared with the request log.
    pub job_micros: AtomicU64,
}

pub type AppState = Arc<Shared>;

/// Per-request facts the data-API middleware establishes for handlers.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// e.g. `62.0`
    pub version: String,
    pub user_id: String,
}
