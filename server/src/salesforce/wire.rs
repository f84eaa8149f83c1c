//! Salesforce's JSON shapes as we read them, decoded leniently: unknown keys are ignored (doc §1.3: newer
//! orgs add keys), and only what we use is declared.

use serde::Deserialize;

/// `POST /services/oauth2/token` success (doc §1.3). No `expires_in` and no refresh token: renew by asking
/// again.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub instance_url: String,
    /// The identity URL, `…/id/{orgId}/{userId}`.
    pub id: String,
    #[serde(default)]
    pub issued_at: Option<String>,
}

/// `{"error": "...", "error_description": "..."}` (doc §1.4).
#[derive(Debug, Deserialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

/// One element of a REST error array: `[{"message": "...", "errorCode": "...", "fields": [...]}]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiErrorItem {
    pub message: String,
    #[serde(rename = "errorCode")]
    pub error_code: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// The identity URL's answer: who the run-as user is (`oauth/identity_url_response.json`).
#[derive(Debug, Deserialize)]
pub struct Identity {
    pub username: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub organization_id: String,
    pub user_id: String,
}

/// `GET /services/data/vXX.X/limits` (doc §2.3); only the entry we show is declared.
#[derive(Debug, Deserialize)]
pub struct Limits {
    #[serde(rename = "DailyApiRequests")]
    pub daily_api_requests: LimitEntry,
}

#[derive(Debug, Deserialize)]
pub struct LimitEntry {
    #[serde(rename = "Max")]
    pub max: u64,
    #[serde(rename = "Remaining")]
    pub remaining: u64,
}

/// `Sforce-Limit-Info: api-usage=10018/100000` (doc §2.3), parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct ApiUsage {
    pub used: u64,
    pub allowed: u64,
}

impl ApiUsage {
    /// Reads the `api-usage` part of a `Sforce-Limit-Info` header; other parts (`api-bursts=…`) are skipped.
    pub fn from_header(value: &str) -> Option<Self> {
        value.split([',', ';']).map(str::trim).find_map(|part| {
            let (used, allowed) = part.strip_prefix("api-usage=")?.split_once('/')?;
            Some(Self {
                used: used.trim().parse().ok()?,
                allowed: allowed.trim().parse().ok()?,
            })
        })
    }
}

/// `GET /sobjects/{Object}/describe` (doc §3), only the parts we use.
#[derive(Debug, Deserialize)]
pub struct DescribeResponse {
    pub name: String,
    pub fields: Vec<FieldDescribe>,
}

/// One entry of a describe's `fields`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub id_lookup: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub restricted_picklist: bool,
    #[serde(default)]
    pub picklist_values: Vec<PicklistEntry>,
}

/// `picklistValues[]`: `{active, defaultValue, label, validFor, value}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistEntry {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
}

/// One page of `GET /query?q=…` (doc §4.1); `nextRecordsUrl` is absent on the last page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T> {
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<T>,
}

/// One item of an sObject Collections answer (doc §5.2), in request order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CollectionItem {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    /// Only upsert answers carry it.
    #[serde(default)]
    pub created: Option<bool>,
    #[serde(default)]
    pub errors: Vec<RecordErrorItem>,
}

/// A per-record error: `{statusCode, message, fields}` (collections use `statusCode`, not `errorCode`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordErrorItem {
    pub status_code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// Bulk API 2.0 job info (doc §6.1, §6.3), ingest and query alike; only what we use.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJobInfo {
    pub id: String,
    pub state: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub number_records_processed: Option<u64>,
    #[serde(default)]
    pub number_records_failed: Option<u64>,
    #[serde(default)]
    pub error_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usage_header_is_read_with_or_without_bursts() {
        assert_eq!(
            ApiUsage::from_header("api-usage=10018/100000"),
            Some(ApiUsage {
                used: 10018,
                allowed: 100000
            })
        );
        assert_eq!(
            ApiUsage::from_header("api-usage=25/15000, api-bursts=1/750"),
            Some(ApiUsage {
                used: 25,
                allowed: 15000
            })
        );
        assert_eq!(ApiUsage::from_header("api-bursts=1/750"), None);
        assert_eq!(ApiUsage::from_header("api-usage=x/1"), None);
    }

    #[test]
    fn recorded_error_bodies_decode() {
        let body =
            include_str!("../../tests/fixtures/salesforce/errors/invalid_session_id_401.json");
        let items: Vec<ApiErrorItem> = serde_json::from_str(body).expect("error array");
        assert_eq!(items[0].error_code, "INVALID_SESSION_ID");
        let body = include_str!("../../tests/fixtures/salesforce/errors/invalid_field_400.json");
        let items: Vec<ApiErrorItem> = serde_json::from_str(body).expect("error array");
        assert_eq!(items[0].error_code, "INVALID_FIELD");
    }

    #[test]
    fn recorded_oauth_answers_decode() {
        let ok = include_str!("../../tests/fixtures/salesforce/oauth/password_flow_success.json");
        let token: TokenResponse = serde_json::from_str(ok).expect("token");
        assert!(token.instance_url.starts_with("https://"));
        let err = include_str!(
            "../../tests/fixtures/salesforce/oauth/error_invalid_grant_authentication_failure.json"
        );
        let err: OAuthError = serde_json::from_str(err).expect("oauth error");
        assert_eq!(err.error, "invalid_grant");
        let id = include_str!("../../tests/fixtures/salesforce/oauth/identity_url_response.json");
        let id: Identity = serde_json::from_str(id).expect("identity");
        assert!(!id.username.is_empty());
    }
}
