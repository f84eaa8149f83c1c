/// What can go wrong in `storage/`. Callers match on the variants that mean something to a user
/// (`Duplicate`, `NotFound`, `LastSuperUser`); everything else is a fault to log.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("that {0} already exists")]
    Duplicate(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// An optimistic write lost: someone changed the row since the caller read it.
    #[error("that {0} was changed by someone else")]
    Stale(&'static str),
    #[error("a workspace needs at least one super user")]
    LastSuperUser,
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        StorageError::Database(e)
    }
}

/// Turns a unique-constraint failure into [`StorageError::Duplicate`]; both drivers report the kind, so
/// no error text is parsed.
pub(crate) trait OnUnique<T> {
    fn on_unique(self, what: &'static str) -> Result<T, StorageError>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self, what: &'static str) -> Result<T, StorageError> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StorageError::Duplicate(what)
            }
            _ => StorageError::Database(e),
        })
    }
}
