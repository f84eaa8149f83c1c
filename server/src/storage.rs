//! Persistence. [`Storage`] is an enum over the two databases we support, chosen from the URL at start-up.
//!
//! Every SQL string lives under `storage/`. The two dialects agree on everything the queries use so far
//! (`$n` parameters, `returning`, `on conflict`), so each query is written once and [`on_pool!`] runs it on
//! whichever pool is in use; a query that must differ (e.g. `for update skip locked`) gives each arm its own
//! string. Migrations differ in types only and live in `migrations/{sqlite,postgres}`.

pub mod api_tokens;
/// The bind builder every statement uses, and row sets bound as one JSON parameter.
pub mod binds;
pub mod connections;
/// Komo contacts and their custom properties.
pub mod contacts;
mod error;
/// CSV imports: progress and the per-row error report.
pub mod imports;
pub mod json_page;
pub mod people;
mod rows;
pub mod runs;
mod sessions;
/// Planner statistics a run's reads depend on (PostgreSQL).
mod statistics;
pub mod syncs;
pub mod throttle;

pub use error::StorageError;
pub use sessions::SessionStore;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// A workspace id. Every tenant-owned query takes one, so forgetting the tenant filter does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkspaceId(pub i64);

#[derive(Clone, Debug)]
pub enum Storage {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool `storage` holds. Each arm type-checks on its own, so
/// the driver-specific types line up.
macro_rules! on_pool {
    ($storage:expr, $pool:ident => $body:expr) => {
        match $storage {
            $crate::storage::Storage::Sqlite($pool) => $body,
            $crate::storage::Storage::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Storage {
    /// Connects to `url` (`sqlite://path` or `postgres://…`) and runs that backend's migrations.
    ///
    /// # Errors
    /// When the URL has another scheme, the database cannot be reached, or a migration fails.
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let storage = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            tracing::Span::current().record("backend", "postgres");
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Storage::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            tracing::Span::current().record("backend", "sqlite");
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL lets readers run beside the one writer; busy_timeout makes writers queue, not fail.
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Storage::Sqlite(pool)
        } else {
            return Err(StorageError::UnsupportedUrl);
        };
        Ok(storage)
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Storage::Sqlite(_) => "sqlite",
            Storage::Postgres(_) => "postgres",
        }
    }

    /// A cheap round trip, for `/healthz`.
    ///
    /// # Errors
    /// When the database does not answer.
    pub async fn ping(&self) -> Result<(), StorageError> {
        on_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

/// Seconds since the Unix epoch; the one clock every stored timestamp uses.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
