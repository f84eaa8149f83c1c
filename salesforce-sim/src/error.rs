//! The error bodies Salesforce sends, one type per shape:
//! - [`ApiError`]: REST request errors, a JSON array of `{message, errorCode[, fields]}` (doc §2.4);
//! - [`RecordError`]: one record's failure, rendered as `statusCode` in collections (§5.2),
//!   as `errorCode` on single-record calls and as `sf__Error` in Bulk results (§6.1);
//! - [`OAuthError`]: the token endpoint's `{error, error_description}` (§1.4).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

/// One element of a REST error array.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorItem {
    pub message: String,
    #[serde(rename = "errorCode")]
    pub error_code: String,
    /// Present for record/field errors only, as in Salesforce's bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Salesforce's own spelling (sic), seen in independent captures (§5.4).
    #[serde(rename = "duplicateResut", skip_serializing_if = "Option::is_none")]
    pub duplicate_result: Option<Value>,
}

/// A REST request that failed as a whole.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub items: Vec<ErrorItem>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            items: vec![ErrorItem {
                message: message.into(),
                error_code: code.to_owned(),
                fields: None,
                duplicate_result: None,
            }],
        }
    }

    pub fn invalid_session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn json_parser(err: &serde_json::Error) -> Self {
        Self::bad_request(
            "JSON_PARSER_ERROR",
            format!("{err} at [line:{}, column:{}]", err.line(), err.column()),
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable, please retry your request",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.items)).into_response()
    }
}

/// One record's failure.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub status_code: String,
    pub message: String,
    pub fields: Vec<String>,
    /// The `duplicateResut` body of a DUPLICATES_DETECTED failure (boxed:
    /// rare, and it would triple the size of every `Result`).
    pub duplicate_result: Option<Box<Value>>,
}

impl RecordError {
    pub fn new(code: &str, message: impl Into<String>, fields: &[&str]) -> Self {
        Self {
            status_code: code.to_owned(),
            message: message.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            duplicate_result: None,
        }
    }

    /// The collections form: `{"statusCode", "message", "fields"}`.
    pub fn to_collection_json(&self) -> Value {
        serde_json::json!({
            "statusCode": self.status_code,
            "message": self.message,
            "fields": self.fields,
        })
    }

    /// The Bulk API form: `CODE:message:fields --`.
    pub fn to_bulk_text(&self) -> String {
        format!(
            "{}:{}:{} --",
            self.status_code,
            self.message,
            self.fields.join(",")
        )
    }

    /// The single-record REST form (HTTP status chosen per code, as Salesforce does).
    pub fn into_api_error(self) -> ApiError {
        let status = match self.status_code.as_str() {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        };
        // INVALID_FIELD bodies carry no `fields` (recorded `errors/invalid_field_400.json`).
        let fields = (self.status_code != "INVALID_FIELD").then_some(self.fields);
        ApiError {
            status,
            items: vec![ErrorItem {
                message: self.message,
                error_code: self.status_code,
                fields,
                duplicate_result: self.duplicate_result.map(|b| *b),
            }],
        }
    }
}

/// A token-endpoint failure; Salesforce answers all of them with HTTP 400 (§1.4).
#[derive(Debug, Clone, Serialize)]
pub struct OAuthError {
    pub error: String,
    pub error_description: String,
}

impl OAuthError {
    pub fn new(error: &str, description: &str) -> Self {
        Self {
            error: error.to_owned(),
            error_description: description.to_owned(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(self)).into_response()
    }
}
