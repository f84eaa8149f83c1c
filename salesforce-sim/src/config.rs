//! Simulator settings. Every item the Salesforce doc marks **[unverified]** is
//! a field here, with the doc's best guess as the default.

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    /// Oldest and newest REST API versions served (doc §2.1: 31.0+ supported,
    /// 21.0–30.0 answer 410). `/services/data/latest` aliases the newest.
    pub oldest_version: u32,
    pub latest_version: u32,
    /// Inactivity after which a token stops working (doc §1.5: default 2 h).
    #[serde(with = "millis")]
    pub token_idle_timeout: Duration,
    /// `DailyApiRequests.Max` (doc §8: Enterprise base allocation 100,000).
    pub daily_api_allowance: u64,
    /// SOQL page size (doc §4.2: default and maximum 2,000).
    pub query_batch_size: usize,
    /// `error` for "client credentials flow not enabled": **[unverified]**,
    /// some report `invalid_client` instead of `invalid_grant`.
    pub flow_disabled_error: String,
    /// Collections/Bulk `statusCode` when an upsert key matches several
    /// records: **[unverified]** (single-record upsert answers HTTP 300).
    pub multiple_match_status_code: String,
    /// Whether a Bulk 2.0 ingest job accepts more than one upload: **[unverified]**.
    pub bulk_allow_multiple_uploads: bool,
    /// Host the token endpoint accepts (the org's My Domain). `None` accepts any;
    /// otherwise another `Host` gets `invalid_grant`/`request not supported on this domain`.
    pub my_domain_host: Option<String>,
    /// 18-character org id; tokens start with its first 15 characters.
    pub org_id: String,
    /// Seed for everything random (tokens, faults by percentage, fake contacts).
    pub seed: u64,
    /// Records per internal Bulk batch (doc §6.1: 10,000); also how many rows
    /// are written per hold of the org lock.
    pub bulk_batch_size: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            oldest_version: 31,
            latest_version: 66,
            token_idle_timeout: Duration::from_secs(2 * 60 * 60),
            daily_api_allowance: 100_000,
            query_batch_size: 2000,
            flow_disabled_error: "invalid_grant".to_owned(),
            multiple_match_status_code: "DUPLICATE_EXTERNAL_ID".to_owned(),
            bulk_allow_multiple_uploads: false,
            my_domain_host: None,
            org_id: "00D5g000004SimOEAS".to_owned(),
            seed: 42,
            bulk_batch_size: 10_000,
        }
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// A token error forced by an app's policy or user state (doc §1.4), for the
/// cases that have no natural setting of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFault {
    /// `invalid_grant` / `user hasn't approved this consumer`
    UserNotApproved,
    /// `invalid_grant` / `inactive user`
    InactiveUser,
    /// `invalid_app_access` / `user is not admin approved to access this app`
    NotAdminApproved,
    /// `unknown_error` / `retry your request` (transient)
    UnknownError,
}

/// A connected app the org accepts for the client-credentials flow (doc §1.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectedApp {
    pub client_id: String,
    pub client_secret: String,
    /// "Enable Client Credentials Flow".
    #[serde(default = "yes")]
    pub flow_enabled: bool,
    /// Username of the Run As user; `None` gives `no client credentials user enabled`.
    #[serde(default = "default_run_as")]
    pub run_as: Option<String>,
    #[serde(default)]
    pub token_fault: Option<TokenFault>,
}

fn yes() -> bool {
    true
}

fn default_run_as() -> Option<String> {
    Some("integration@sim.example".to_owned())
}

impl ConnectedApp {
    /// An app that works: flow enabled, run-as user set.
    pub fn new(client_id: &str, client_secret: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            flow_enabled: true,
            run_as: default_run_as(),
            token_fault: None,
        }
    }
}
