//! A workspace ready for a Bulk run, built the way a super user and Komo's feed build it: over HTTP
//! against the server process (server functions, `/api/v1`), with the org in an in-process simulator.

use crate::db::TestDb;
use crate::process::ServerProcess;
use base64::Engine as _;
use salesforce_sim::{ConnectedApp, SimConfig, Simulator};
use serde_json::{json, Value};
use shared::sync::config::{FieldMapping, MappingSource, Overwrite, SyncConfig};

pub const ADMIN_EMAIL: &str = "crash@komo.example";
pub const ADMIN_PASSWORD: &str = "crash test password";
const CLIENT_ID: &str = "crash-client";
const SECRET: &str = "crash-secret";

/// Komo contacts in the run, and how many of them the org holds already (by email).
pub const CONTACTS: usize = 3_000;
pub const IN_ORG: usize = 1_000;

pub fn email(i: usize) -> String {
    format!("person{i}@crash.example")
}

/// The environment of every server process of one test: one database, one secret key (instances sharing
/// a database must share it), small batches so that planning takes many transactions, and a Bulk
/// threshold low enough that both the insert and the update job go the Bulk way.
pub fn server_env(
    db: &TestDb,
    data_dir: &std::path::Path,
    sim: &Simulator,
) -> Vec<(String, String)> {
    let key: Vec<u8> = (1..=32).collect();
    [
        ("DATABASE_URL", db.url.clone()),
        ("KOMO_DATA_DIR", data_dir.display().to_string()),
        (
            "KOMO_SECRET_KEY",
            base64::engine::general_purpose::STANDARD.encode(key),
        ),
        ("KOMO_ADMIN_EMAIL", ADMIN_EMAIL.to_owned()),
        ("KOMO_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
        ("KOMO_SALESFORCE_EXTRA_ORIGINS", sim.base_url().to_owned()),
        ("KOMO_PUSH_BATCH_SIZE", "100".to_owned()),
        ("KOMO_PUSH_BULK_THRESHOLD", "200".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// An org holding the first [`IN_ORG`] contacts under old last names.
pub async fn org() -> Simulator {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts");
    sim.add_app(ConnectedApp::new(CLIENT_ID, SECRET));
    let existing: Vec<Value> = (0..IN_ORG)
        .map(|i| json!({"LastName": format!("Old{i}"), "Email": email(i)}))
        .collect();
    sim.seed("Contact", &existing).expect("org seeded");
    sim
}

/// A signed-in super user's browser.
pub struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    pub async fn sign_in(server: &ServerProcess) -> Self {
        let admin = Admin {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            base: server.base.clone(),
        };
        admin
            .call(
                "sign_in",
                &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            )
            .await;
        admin
    }

    pub async fn call(&self, function: &str, form: &[(&str, &str)]) -> Value {
        let request = self.http.post(format!("{}/api/{function}", self.base));
        Self::answer(function, request.form(form)).await
    }

    /// For the server functions whose input is JSON (`save_sync_config`).
    pub async fn call_json(&self, function: &str, body: &Value) -> Value {
        let request = self.http.post(format!("{}/api/{function}", self.base));
        Self::answer(function, request.json(body)).await
    }

    async fn answer(function: &str, request: reqwest::RequestBuilder) -> Value {
        let response = request.send().await.expect("server function answers");
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(status.is_success(), "{function}: {status} {body}");
        serde_json::from_str(&body).unwrap_or(Value::String(body))
    }

    /// Stores the [`CONTACTS`] Komo contacts through `/api/v1/contacts/bulk`, as Komo's feed does.
    pub async fn store_contacts(&self) {
        let token = self
            .call(
                "create_api_token",
                &[("name", "feed"), ("expires_in_days", "")],
            )
            .await["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let contacts: Vec<Value> = (0..CONTACTS)
            .map(|i| {
                let city = ["London", "Leeds", "York"][i % 3];
                json!({
                    "email": email(i),
                    "first_name": format!("First{i}"),
                    "last_name": format!("Last{i}"),
                    "city": city,
                })
            })
            .collect();
        let response = self
            .http
            .post(format!("{}/api/v1/contacts/bulk", self.base))
            .bearer_auth(token)
            .json(&json!({ "contacts": contacts }))
            .send()
            .await
            .expect("bulk upsert answers");
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    /// A Running sync of Contacts by email into the simulator, with three mapped fields.
    pub async fn running_sync(&self, sim: &Simulator) -> String {
        let connection = self
            .call(
                "save_connection",
                &[
                    ("domain", sim.base_url()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ],
            )
            .await;
        let sync_id = self
            .call(
                "create_sync",
                &[
                    ("connection_id", &connection["id"].to_string()),
                    ("object", "Contact"),
                    ("name", "Crash test"),
                ],
            )
            .await
            .to_string();
        let mapping = |key: &str, crm: &str| FieldMapping {
            source: MappingSource::Field(key.into()),
            crm_field: crm.into(),
            overwrite: Overwrite::Always,
        };
        let config = SyncConfig {
            mappings: vec![
                mapping("first_name", "FirstName"),
                mapping("last_name", "LastName"),
                mapping("city", "MailingCity"),
            ],
            ..SyncConfig::default()
        };
        let id: i64 = sync_id.parse().expect("sync id");
        self.call_json(
            "save_sync_config",
            &json!({ "sync_id": id, "base_version": 0, "config": config }),
        )
        .await;
        self.call(
            "set_sync_running",
            &[("sync_id", &sync_id), ("running", "true")],
        )
        .await;
        sync_id
    }

    /// Queues a run of `sync_id`; its id.
    pub async fn sync_now(&self, sync_id: &str) -> i64 {
        self.call(
            "sync_now",
            &[("sync_id", sync_id), ("full_resync", "false")],
        )
        .await["run_id"]
            .as_i64()
            .expect("run id")
    }
}
