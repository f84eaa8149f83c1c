//! [`Simulator`]: the handle Rust tests hold. Its operations call the same `Tenant` methods as the
//! control API (`/__sim`), so the two cannot drift apart.

use crate::config::{InstalledPackage, SimConfig};
use crate::dataext::WriteMode;
use crate::faults::Faults;
use crate::fields::FieldSpec;
use crate::state::{AppState, LoggedRequest, Shared};
use crate::tenant::Tenant;
use parking_lot::Mutex;
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running simulator; dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    shared: AppState,
    task: JoinHandle<()>,
}

impl Simulator {
    /// Starts on `127.0.0.1:port` (0 picks a free port) over plain HTTP.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(config: SimConfig, port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            tenant: Mutex::new(Tenant::new(config)),
            base_url: format!("http://127.0.0.1:{port}"),
            log: Mutex::new(Vec::new()),
        });
        let app = crate::http::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the simulator stopped serving");
            }
        });
        Ok(Self { shared, task })
    }

    /// `http://127.0.0.1:PORT`: the auth, REST and SOAP base in one.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Installs a package (and creates its business units).
    pub fn add_package(&self, package: InstalledPackage) {
        self.shared.tenant.lock().add_package(package);
    }

    /// Adds (or renames) a business unit.
    pub fn add_business_unit(&self, mid: u64, name: &str) {
        let mut tenant = self.shared.tenant.lock();
        tenant.add_unit(mid, name);
        if let Some(unit) = tenant.units.get_mut(&mid) {
            unit.name = name.into();
        }
    }

    /// Creates a data extension in `mid`; returns its GUID.
    ///
    /// # Errors
    /// An unknown business unit, a key in use, no fields, or a sendable field that is not a field.
    pub fn create_extension(
        &self,
        mid: u64,
        name: &str,
        key: &str,
        fields: Vec<FieldSpec>,
        sendable_field: Option<&str>,
    ) -> Result<String, String> {
        self.shared.tenant.lock().create_extension(
            mid,
            name,
            key,
            fields,
            sendable_field.map(str::to_owned),
        )
    }

    /// Upserts rows as the control API does; returns how many were saved.
    pub fn seed_rows(&self, mid: u64, key: &str, items: &[Map<String, Value>]) -> usize {
        let mut tenant = self.shared.tenant.lock();
        let Some(extension) = tenant.extension_by_key(mid, key) else {
            return 0;
        };
        items
            .iter()
            .filter(|i| extension.write(WriteMode::Upsert, i).is_ok())
            .count()
    }

    /// The stored row of `key`'s data extension whose primary key is `pk`, as `{column: value}`.
    pub fn row(&self, mid: u64, key: &str, pk: &[&str]) -> Option<Map<String, Value>> {
        let mut tenant = self.shared.tenant.lock();
        let extension = tenant.extension_by_key(mid, key)?;
        let row = extension.find(pk)?;
        Some(extension.row_object(row))
    }

    pub fn row_count(&self, mid: u64, key: &str) -> usize {
        let mut tenant = self.shared.tenant.lock();
        tenant
            .extension_by_key(mid, key)
            .map_or(0, |d| d.row_count())
    }

    /// Moves the tenant's clock forward (token expiry, timestamps).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.tenant.lock().advance_clock(by);
    }

    /// Replaces the fault switches (`Faults::default()` clears them).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.tenant.lock().faults = faults;
    }

    /// The fault switches as they stand (counters go down as faults are spent).
    pub fn faults(&self) -> Faults {
        self.shared.tenant.lock().faults.clone()
    }

    pub fn expire_tokens(&self) {
        self.shared.tenant.lock().expire_tokens();
    }

    /// Changes settings of the running tenant.
    pub fn configure(&self, change: impl FnOnce(&mut SimConfig)) {
        change(&mut self.shared.tenant.lock().config);
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().clone()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
