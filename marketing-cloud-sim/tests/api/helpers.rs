//! A started tenant with one package and a `Contacts` data extension, a client, and the fixture check.

use marketing_cloud_sim::seed::{contact_fields, CONTACTS_KEY};
use marketing_cloud_sim::{InstalledPackage, SimConfig, Simulator};
use serde_json::{json, Value};

pub const CLIENT_ID: &str = "test-client-id";
pub const SECRET: &str = "test-client-secret";
pub const MID: u64 = 100_000_001;
pub const OTHER_MID: u64 = 100_000_002;

pub struct Tenant {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub contacts_id: String,
}

impl Tenant {
    pub async fn start() -> Self {
        Self::start_with(SimConfig::default()).await
    }

    pub async fn start_with(config: SimConfig) -> Self {
        let sim = Simulator::start(config, 0).await.expect("simulator starts");
        let mut package = InstalledPackage::new(CLIENT_ID, SECRET, MID);
        package.mids.push(OTHER_MID);
        sim.add_package(package);
        let contacts_id = sim
            .create_extension(
                MID,
                "Contacts",
                CONTACTS_KEY,
                contact_fields(),
                Some("ContactKey"),
            )
            .expect("Contacts created");
        Self {
            sim,
            http: reqwest::Client::new(),
            contacts_id,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// A token for `mid` with the package's scopes.
    pub async fn token_for(&self, mid: u64) -> String {
        let answer: Value = self
            .http
            .post(self.url("/v2/token"))
            .json(
                &json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                          "client_secret": SECRET, "account_id": mid}),
            )
            .send()
            .await
            .expect("token call")
            .json()
            .await
            .expect("token JSON");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn token(&self) -> String {
        self.token_for(MID).await
    }

    /// `GET /data/v1/async/{id}/{what}` (`status`, `results`, `results?$page=3`) with `token`.
    pub async fn async_answer(&self, id: &str, what: &str, token: &str) -> Value {
        let path = format!("/data/v1/async/{id}/{what}");
        self.call(reqwest::Method::GET, &path, token, None).await.1
    }

    /// Sends `method path` with `token` and an optional JSON body: `(status, body)`.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// Reads a recorded fixture of this crate.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every key of the fixture is in the answer with a value of the same JSON kind, recursively; the answer
/// may carry more. In an array, each of the fixture's elements must match one of the answer's (a results
/// page mixes OK and error items). Panics naming the difference.
pub fn assert_shape(answer: &Value, fixture: &Value) {
    assert_shape_but(answer, fixture, &[]);
}

/// [`assert_shape`], where the fixture's keys named in `optional` may be missing (a field's
/// `defaultValue`, or column names in a hand-written mock).
pub fn assert_shape_but(answer: &Value, fixture: &Value, optional: &[&str]) {
    if let Err(why) = shape(answer, fixture, "$", optional) {
        panic!("{why}");
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn shape(answer: &Value, fixture: &Value, at: &str, optional: &[&str]) -> Result<(), String> {
    if kind(answer) != kind(fixture) {
        return Err(format!("{at}: {answer} against the fixture's {fixture}"));
    }
    match (answer, fixture) {
        (Value::Object(a), Value::Object(f)) => {
            for (key, value) in f {
                match a.get(key) {
                    Some(got) => shape(got, value, &format!("{at}.{key}"), optional)?,
                    None if optional.contains(&key.as_str()) => {}
                    None => return Err(format!("{at}.{key} missing in {answer}")),
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(f)) if !a.is_empty() => {
            for (n, wanted) in f.iter().enumerate() {
                let mut first_miss = None;
                let matched =
                    a.iter().any(
                        |got| match shape(got, wanted, &format!("{at}[{n}]"), optional) {
                            Ok(()) => true,
                            Err(why) => {
                                first_miss.get_or_insert(why);
                                false
                            }
                        },
                    );
                if !matched {
                    return Err(first_miss.unwrap_or_default());
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
