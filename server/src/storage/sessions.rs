//! Sign-in sessions live in the same database as everything else, so several server instances behind a
//! load balancer share them and a restart signs nobody out.

use super::Storage;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The session store matching the [`Storage`] backend.
#[derive(Debug, Clone)]
pub enum SessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionStore {
    /// Creates the store's table if needed.
    ///
    /// # Errors
    /// Database faults.
    pub async fn for_storage(storage: &Storage) -> Result<Self, sqlx::Error> {
        Ok(match storage {
            Storage::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                SessionStore::Sqlite(store)
            }
            Storage::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                SessionStore::Postgres(store)
            }
        })
    }

    /// Deletes expired sessions every `period`, forever; spawn it.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        let result = match self {
            SessionStore::Sqlite(store) => store.continuously_delete_expired(period).await,
            SessionStore::Postgres(store) => store.continuously_delete_expired(period).await,
        };
        if let Err(error) = result {
            tracing::error!(%error, "expired-session cleanup stopped");
        }
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.create(record).await,
            SessionStore::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.save(record).await,
            SessionStore::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionStore::Sqlite(store) => store.load(id).await,
            SessionStore::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.delete(id).await,
            SessionStore::Postgres(store) => store.delete(id).await,
        }
    }
}
