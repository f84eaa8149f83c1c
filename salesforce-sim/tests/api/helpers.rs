//! Shared test setup: a running simulator, a token, request helpers and the
//! shape comparison against recorded fixtures.

use reqwest::{Method, StatusCode};
use salesforce_sim::{ConnectedApp, SimConfig, Simulator};
use serde_json::Value;

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-secret";
pub const V: &str = "/services/data/v62.0";

pub struct TestOrg {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn start(config: SimConfig) -> TestOrg {
    let sim = Simulator::start(config).await.expect("simulator starts");
    sim.add_app(ConnectedApp::new(CLIENT_ID, CLIENT_SECRET));
    let http = reqwest::Client::new();
    let token = fetch_token(&http, sim.base_url()).await;
    sim.clear_requests();
    TestOrg { sim, http, token }
}

pub async fn org() -> TestOrg {
    start(SimConfig::default()).await
}

pub async fn fetch_token(http: &reqwest::Client, base: &str) -> String {
    let reply = http
        .post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token request");
    let body: Value = reply.json().await.expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

impl TestOrg {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("/services/") || path.starts_with("/__sim") || path.starts_with("/id/")
        {
            format!("{}{path}", self.sim.base_url())
        } else {
            format!("{}{V}{path}", self.sim.base_url())
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn query(&self, soql: &str) -> Reply {
        let url =
            reqwest::Url::parse_with_params(&self.url("/query"), &[("q", soql)]).expect("url");
        let resp = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("query sent");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
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

/// Same keys and value types as the recording, recursively (arrays compare
/// their first elements; a recorded `null` accepts anything).
pub fn assert_same_shape(actual: &Value, recorded: &Value) {
    shape(actual, recorded, "$");
}

fn shape(actual: &Value, recorded: &Value, at: &str) {
    if recorded.is_null() {
        return;
    }
    assert_eq!(
        kind(actual),
        kind(recorded),
        "type differs at {at}: {actual} vs recorded {recorded}"
    );
    match (actual, recorded) {
        (Value::Object(a), Value::Object(r)) => {
            let mut ak: Vec<&String> = a.keys().collect();
            let mut rk: Vec<&String> = r.keys().collect();
            ak.sort();
            rk.sort();
            assert_eq!(ak, rk, "keys differ at {at}");
            for (k, rv) in r {
                shape(&a[k], rv, &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(r)) => {
            if let (Some(a0), Some(r0)) = (a.first(), r.first()) {
                shape(a0, r0, &format!("{at}[0]"));
            }
        }
        _ => {}
    }
}

/// The `errorCode` of the first item of a REST error array.
pub fn error_code(body: &Value) -> &str {
    body[0]["errorCode"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error array: {body}"))
}
