use app::error::ApiError;
use secrecy::SecretString;
use server::config::Settings;
use server::startup::Application;
use server::storage::people::UserRecord;
use server::storage::{Storage, WorkspaceId};
use shared::{EmailAddress, Role, WorkspaceName};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_EMAIL: &str = "admin@acme.example";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const MEMBER_PASSWORD: &str = "member password 123";

#[path = "../support/db.rs"]
mod db;
pub use db::TestDb;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub storage: Storage,
    /// The push engine; no background worker runs (`KOMO_WORKERS=0`), so tests step it themselves.
    pub engine: server::engine::Engine,
    pub db: Arc<TestDb>,
    vars: HashMap<String, String>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment-style settings (e.g. `KOMO_FRAME_ANCESTORS`).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        server::telemetry::init(server::config::LogFormat::Pretty);
    }
    let db = Arc::new(TestDb::new().await);
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", db.url.as_str()),
        (
            "KOMO_DATA_DIR",
            db.data_dir.path().to_str().expect("utf-8 temp path"),
        ),
        ("KOMO_ADDR", "127.0.0.1:0"),
        ("KOMO_WORKSPACE_NAME", "Acme Events"),
        ("KOMO_ADMIN_EMAIL", ADMIN_EMAIL),
        ("KOMO_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("KOMO_WORKERS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    start(db, vars, client).await
}

async fn start(db: Arc<TestDb>, vars: HashMap<String, String>, client: reqwest::Client) -> TestApp {
    let settings = Settings::from_lookup(|name| vars.get(name).cloned()).expect("test settings");
    let app = Application::build(&settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let storage = app.storage().clone();
    let engine = app.engine().clone();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        address,
        client,
        storage,
        engine,
        db,
        vars,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// Stops the server gracefully and starts a new one on the same database, keeping the cookie jar.
    pub async fn restart(self) -> TestApp {
        self.restart_with(&[]).await
    }

    /// Like [`Self::restart`], with some settings changed (e.g. a new encryption key).
    pub async fn restart_with(mut self, changes: &[(&str, &str)]) -> TestApp {
        self.stop().await;
        let db = self.db.clone();
        let mut vars = std::mem::take(&mut self.vars);
        for (k, v) in changes {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let client = self.client.clone();
        start(db, vars, client).await
    }

    /// A second server process on the same database, sharing this one's cookie jar: two instances behind a
    /// load balancer.
    pub async fn another_instance(&self) -> TestApp {
        start(self.db.clone(), self.vars.clone(), self.client.clone()).await
    }

    async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran");
        }
    }

    /// Calls a server function with a form body, as the browser does.
    pub async fn call(&self, function: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{function}", self.address))
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a server function whose input is JSON (`save_sync_config`, `count_matching`), as the browser
    /// does.
    pub async fn call_json(&self, function: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{function}", self.address))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.call("sign_in", &[("email", email), ("password", password)])
            .await
    }

    pub async fn sign_in_as_admin(&self) {
        let response = self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(response.status(), 200, "admin signs in");
    }

    /// A fresh client (own cookie jar) against the same server: another browser.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            storage: self.storage.clone(),
            engine: self.engine.clone(),
            db: self.db.clone(),
            vars: HashMap::new(),
            shutdown: None,
            server: None,
        }
    }

    pub async fn first_workspace(&self) -> WorkspaceId {
        let me = self
            .storage
            .find_credentials(&email(ADMIN_EMAIL), 1)
            .await
            .expect("query")
            .into_iter()
            .next()
            .expect("admin exists");
        let member = self
            .storage
            .find_member(me.user_id)
            .await
            .expect("query")
            .expect("member");
        WorkspaceId(member.workspace.id)
    }

    /// Adds a user straight into storage (with a real hash) and returns their id.
    pub async fn add_user(&self, workspace: WorkspaceId, address: &str, role: Role) -> i64 {
        let hash = server::auth::password::hash(SecretString::from(MEMBER_PASSWORD))
            .await
            .expect("hash");
        let record = UserRecord {
            email: &email(address),
            name: "Test Person",
            role,
            password_hash: &hash,
            must_change_password: false,
        };
        self.storage
            .create_user(workspace, &record)
            .await
            .expect("user created")
            .id
    }

    pub async fn new_workspace(&self, name: &str) -> WorkspaceId {
        self.storage
            .create_workspace(&WorkspaceName::parse(name).expect("name"))
            .await
            .expect("workspace created")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn email(raw: &str) -> EmailAddress {
    EmailAddress::parse(raw).expect("valid email")
}

/// Reads a failed server function's error body.
pub async fn api_error(response: reqwest::Response) -> ApiError {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("ApiError JSON expected ({e}): {text}"))
}

/// One number from the test database: `sql` with `id` as `$1`. For checks no API answers.
pub async fn sql_scalar(storage: &Storage, sql: &str, id: i64) -> i64 {
    match storage {
        Storage::Sqlite(pool) => sqlx::query_scalar(sql).bind(id).fetch_one(pool).await,
        Storage::Postgres(pool) => sqlx::query_scalar(sql).bind(id).fetch_one(pool).await,
    }
    .expect("scalar query")
}

/// Runs `sql` with `id` as `$1` on the test database, for states no API makes (a lease that lapsed, a
/// workspace deleted); returns the rows it touched.
pub async fn sql_execute(storage: &Storage, sql: &str, id: i64) -> u64 {
    match storage {
        Storage::Sqlite(pool) => sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Storage::Postgres(pool) => sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
    .expect("statement")
}
