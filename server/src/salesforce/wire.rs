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
