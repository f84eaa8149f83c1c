//! A database that exists for one test: a SQLite file in a temporary directory, or a PostgreSQL database
//! created for the test and dropped after it. Shared by the API suite and the crash tests.

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    pub url: String,
    /// The app's data directory (its encryption key file lives here), kept across restarts.
    pub data_dir: tempfile::TempDir,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>, // (admin url, database name)
}

impl TestDb {
    /// PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            Some(admin_url) => Self::postgres(&admin_url).await,
            None => Self::sqlite(),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            url,
            data_dir: tempfile::tempdir().expect("temp dir"),
            _sqlite_dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the server of `admin_url`, whose user may create databases.
    pub async fn postgres(admin_url: &str) -> Self {
        use sqlx::Connection;
        let name = format!("komo_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is not reachable: {e}"));
        sqlx::query(&format!("create database {name}"))
            .execute(&mut conn)
            .await
            .expect("create db");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Self {
            url: format!("{base}/{name}"),
            data_dir: tempfile::tempdir().expect("temp dir"),
            _sqlite_dir: None,
            postgres: Some((admin_url.to_owned(), name)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread removes the database.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("drop database if exists {name} with (force)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}
