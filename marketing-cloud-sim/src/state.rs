//! What every handler shares: the tenant behind one lock, the base URL, and the request log.

use crate::tenant::Tenant;
use parking_lot::Mutex;
use std::sync::Arc;

/// One request as the simulator saw it: for tests and benchmarks counting calls by kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Debug)]
pub struct Shared {
    pub tenant: Mutex<Tenant>,
    pub base_url: String,
    pub log: Mutex<Vec<LoggedRequest>>,
}

pub type AppState = Arc<Shared>;
