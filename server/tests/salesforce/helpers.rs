//! A simulator with one working connected app, and a client aimed at it.

use salesforce_sim::{ConnectedApp, SimConfig, Simulator};
use secrecy::SecretString;
use server::salesforce::auth::Credentials;
use server::salesforce::{ClientSettings, OrgDomain, SalesforceClient};

pub const CLIENT_ID: &str = "komo-test-client";
pub const CLIENT_SECRET: &str = "komo-test-secret";

pub struct TestOrg {
    pub sim: Simulator,
    pub client: SalesforceClient,
}

impl TestOrg {
    /// Requests the simulator logged on `path` (exact match).
    pub fn calls_to(&self, path: &str) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// Requests whose path starts with `prefix`.
    pub fn calls_under(&self, prefix: &str) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .count()
    }

    pub fn token_requests(&self) -> usize {
        self.calls_to("/services/oauth2/token")
    }
}

pub async fn org() -> TestOrg {
    org_with(SimConfig::default()).await
}

pub async fn org_with(config: SimConfig) -> TestOrg {
    let sim = Simulator::start(config).await.expect("simulator starts");
    sim.add_app(ConnectedApp::new(CLIENT_ID, CLIENT_SECRET));
    let client = client_for(sim.base_url(), CLIENT_ID, CLIENT_SECRET);
    TestOrg { sim, client }
}

/// A client for `origin` (allowed explicitly, as the demo allows the simulator) with zero backoff.
pub fn client_for(origin: &str, client_id: &str, secret: &str) -> SalesforceClient {
    let settings = ClientSettings {
        extra_allowed: vec![origin.to_owned()],
        backoff_scale: 0.0,
        ..ClientSettings::default()
    };
    let domain = OrgDomain::parse(origin, &settings.extra_allowed).expect("allowed origin");
    let credentials = Credentials {
        client_id: client_id.to_owned(),
        client_secret: SecretString::from(secret.to_owned()),
    };
    SalesforceClient::new(domain, credentials, settings).expect("client builds")
}

/// `{field: value}` as a record.
pub fn record(fields: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect()
}
