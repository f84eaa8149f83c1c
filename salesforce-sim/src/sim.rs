//! [`Simulator`]: the handle Rust tests hold. Every operation here is also
//! offered as JSON by the control API (`/__sim`, see `http/control.rs`); both
//! call the `impl Shared` methods below, so they cannot drift apart.

use crate::bulk::JobState;
use crate::config::{ConnectedApp, SimConfig};
use crate::error::RecordError;
use crate::org::{FaultPatch, Faults, Org, WriteOptions};
use crate::schema::CustomField;
use crate::seed::fake_contacts;
use crate::serve::{self_signed, serve};
use crate::state::{AppState, LoggedRequest, Shared};
use crate::validate::{changes_from_json, WriteKind};
use parking_lot::Mutex;
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How to listen.
#[derive(Debug, Clone, Default)]
pub struct Listen {
    /// 0 picks a free port.
    pub port: u16,
    /// Serve HTTPS with a freshly generated self-signed certificate.
    pub tls: bool,
}

/// A running simulator; dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    shared: AppState,
    task: JoinHandle<()>,
    cert_pem: Option<String>,
}

impl Simulator {
    /// Starts on `127.0.0.1:0` over plain HTTP.
    pub async fn start(config: SimConfig) -> std::io::Result<Self> {
        Self::start_with(config, Listen::default()).await
    }

    pub async fn start_with(config: SimConfig, listen: Listen) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], listen.port))).await?;
        let port = listener.local_addr()?.port();
        let tls = if listen.tls {
            Some(self_signed().map_err(std::io::Error::other)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (jobs_changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            org: Mutex::new(Org::new(config)),
            jobs: Mutex::new(Default::default()),
            log: Mutex::new(Vec::new()),
            base_url: format!("{scheme}://127.0.0.1:{port}"),
            jobs_changed,
            job_micros: Default::default(),
        });
        let app = crate::http::router(shared.clone());
        let cert_pem = tls.as_ref().map(|t| t.cert_pem.clone());
        let task = tokio::spawn(serve(listener, app, tls.map(|t| t.acceptor)));
        Ok(Self {
            shared,
            task,
            cert_pem,
        })
    }

    /// `http(s)://127.0.0.1:PORT`: both the token endpoint's host and the `instance_url`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The self-signed certificate (PEM) when started with TLS.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    pub fn add_app(&self, app: ConnectedApp) {
        self.shared.org.lock().add_app(app);
    }

    /// Adds a custom field (it then appears in describe); returns its API name.
    pub fn add_custom_field(&self, object: &str, field: &CustomField) -> Result<String, String> {
        self.shared.org.lock().add_custom_field(object, field)
    }

    /// Inserts records (validated like an API insert, faults ignored); returns their ids.
    pub fn seed(&self, object: &str, records: &[Value]) -> Result<Vec<String>, RecordError> {
        self.shared.seed(object, records)
    }

    /// Inserts `n` deterministic fake contacts.
    pub fn seed_contacts(&self, n: usize) -> Result<usize, RecordError> {
        self.shared.seed_contacts(n)
    }

    pub fn set_faults(&self, patch: FaultPatch) {
        self.shared.org.lock().faults.apply(patch);
    }

    pub fn faults(&self) -> Faults {
        self.shared.org.lock().faults.clone()
    }

    pub fn reset_faults(&self) {
        self.shared.org.lock().faults = Faults::default();
    }

    /// Answer the next `n` requests with 503.
    pub fn fail_next(&self, n: u32) {
        self.shared.org.lock().faults.fail_next = n;
    }

    pub fn expire_tokens(&self) {
        self.shared.org.lock().expire_all_tokens();
    }

    /// Moves the org's clock forward (token idle timeouts, audit dates).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.org.lock().clock_offset_ms += by.as_millis() as i64;
    }

    /// Sets the daily allowance and, optionally, the calls already used.
    pub fn set_api_allowance(&self, max: u64, used: Option<u64>) {
        let mut org = self.shared.org.lock();
        org.api_max = max;
        if let Some(u) = used {
            org.api_used = u;
        }
    }

    /// `(used, max)` of `DailyApiRequests`.
    pub fn api_usage(&self) -> (u64, u64) {
        let org = self.shared.org.lock();
        (org.api_used, org.api_max)
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().clone()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_log();
    }

    /// Logged POST/PATCH/PUT/DELETE requests to the data API.
    pub fn write_calls(&self) -> usize {
        self.shared.write_calls()
    }

    /// Live records of `object`, rendered as `GET /sobjects/{object}/{id}` would.
    pub fn records(&self, object: &str) -> Vec<Value> {
        self.shared.records(object)
    }

    /// Live records of `object` (cheap: no rendering).
    pub fn count(&self, object: &str) -> usize {
        let org = self.shared.org.lock();
        org.object_index(object)
            .map(|o| org.objects[o].table.live_count())
            .unwrap_or(0)
    }

    /// Live contacts whose Email matches case-insensitively.
    pub fn contacts_with_email(&self, email: &str) -> usize {
        let org = self.shared.org.lock();
        let Some(obj) = org.object_index("Contact") else {
            return 0;
        };
        let Some(f) = org.objects[obj].schema.field_index("Email") else {
            return 0;
        };
        org.matches(obj, f, email).len()
    }

    /// Waits (without polling) until Bulk job `id` reaches a terminal state;
    /// returns that state, or `None` for an unknown job.
    pub async fn wait_for_job(&self, id: &str) -> Option<&'static str> {
        let mut rx = self.shared.jobs_changed.subscribe();
        loop {
            let state = {
                let jobs = self.shared.jobs.lock();
                jobs.ingest
                    .get(id)
                    .map(|j| j.state)
                    .or_else(|| jobs.query.get(id).map(|j| j.state))?
            };
            if state.is_terminal() {
                return Some(state.as_str());
            }
            if rx.changed().await.is_err() {
                return Some(JobState::InProgress.as_str());
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    /// Empties the request log and the background job time that goes with it.
    pub fn clear_log(&self) {
        self.log.lock().clear();
        self.job_micros
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn seed(&self, object: &str, records: &[Value]) -> Result<Vec<String>, RecordError> {
        let mut org = self.org.lock();
        let obj = org.object_index(object).ok_or_else(|| {
            RecordError::new(
                "INVALID_TYPE",
                format!("sObject type '{object}' is not supported."),
                &[],
            )
        })?;
        let saved = std::mem::take(&mut org.faults);
        let opts = WriteOptions::default();
        let mut ids = Vec::with_capacity(records.len());
        let mut result = Ok(());
        for r in records {
            let empty = Map::new();
            let fields = r.as_object().unwrap_or(&empty);
            match changes_from_json(&org.objects[obj].schema, fields, WriteKind::Insert)
                .and_then(|c| org.insert(obj, c, &opts, &mut Vec::new()))
            {
                Ok(idx) => ids.push(crate::ids::make_id(
                    &org.objects[obj].schema.key_prefix,
                    idx as u64,
                )),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        org.faults = saved;
        result.map(|_| ids)
    }

    pub fn seed_contacts(&self, n: usize) -> Result<usize, RecordError> {
        let seed = self.org.lock().config.seed;
        // In chunks, so a million contacts never sit in memory as JSON at once.
        let mut it = fake_contacts(n, seed).peekable();
        let mut done = 0;
        while it.peek().is_some() {
            let chunk: Vec<Value> = it.by_ref().take(10_000).collect();
            done += self.seed("Contact", &chunk)?.len();
        }
        Ok(done)
    }

    pub fn write_calls(&self) -> usize {
        self.log
            .lock()
            .iter()
            .filter(|r| {
                r.path.starts_with("/services/data/")
                    && matches!(r.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE")
            })
            .count()
    }

    pub fn records(&self, object: &str) -> Vec<Value> {
        let org = self.org.lock();
        let Some(obj) = org.object_index(object) else {
            return Vec::new();
        };
        let version = format!("{}.0", org.config.latest_version);
        org.objects[obj]
            .table
            .rows()
            .filter(|(_, r)| !r.deleted)
            .map(|(i, _)| org.full_record_json(obj, i, &version))
            .collect()
    }
}
