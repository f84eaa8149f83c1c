//! Error answers in the tenant's shapes: the REST envelope (`message`, `errorcode`, `documentation`), the
//! async API's `resultMessages`, and OAuth errors of `/v2/token`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

const DOCUMENTATION: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm";

/// A REST error: status, `errorcode` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

impl RestError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A missing, unknown or expired token [fixture 03].
    pub fn not_authorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 0, "Not Authorized")
    }

    /// A token without the scope the call needs (403, 20002) [doc: the code range; wording unverified].
    pub fn insufficient_privileges(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            20002,
            format!("Insufficient privileges to complete this action: the token lacks the {scope} scope."),
        )
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = json!({
            "message": self.message,
            "errorcode": self.code,
            "documentation": DOCUMENTATION,
        });
        (self.status, Json(body)).into_response()
    }
}

/// An asynchronous request refused before it ran: 400 with one `resultMessages` entry [fixture 16].
pub fn async_refusal(request_id: &str, code: &str, message: &str) -> Response {
    let body = json!({
        "requestId": request_id,
        "resultMessages": [{
            "resultType": "Validation",
            "resultClass": "Error",
            "resultCode": code,
            "message": message,
        }],
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// An OAuth error body of `/v2/token` [fixture 02].
pub fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": description,
        "error_uri": "https://developer.salesforce.com/docs",
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}
