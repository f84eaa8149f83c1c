//! The `/api/v1` error: each variant knows its status, and every one answers with the same JSON shape,
//! `{"error": {"code": "...", "message": "..."}}`, so a client can branch on `code` and show `message`.
//! Internal faults are logged under a reference (`telemetry::report_internal`, as for server functions);
//! only the reference is returned.

use crate::storage::StorageError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum V1Error {
    #[error("send your workspace API token as `Authorization: Bearer <token>`")]
    MissingToken,
    #[error("the API token is not valid (it may have been revoked or have expired)")]
    BadToken,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the request body is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("at most {max} contacts per request; this one has more")]
    TooMany { max: usize },
    #[error("this contact is {bytes} bytes of JSON; at most {max} are read per contact")]
    ItemTooLarge { bytes: usize, max: usize },
    #[error("too many bulk requests at once; try again in a second")]
    Busy,
    #[error("{0}")]
    BadJson(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("database fault")]
    Storage(#[from] StorageError),
}

impl V1Error {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            V1Error::MissingToken => (StatusCode::UNAUTHORIZED, "missing_token"),
            V1Error::BadToken => (StatusCode::UNAUTHORIZED, "invalid_token"),
            V1Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            V1Error::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            V1Error::TooMany { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_many_contacts"),
            V1Error::ItemTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "contact_too_large"),
            V1Error::Busy => (StatusCode::TOO_MANY_REQUESTS, "busy"),
            V1Error::BadJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            V1Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            V1Error::Storage(StorageError::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
            V1Error::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            V1Error::Storage(StorageError::NotFound(what)) => format!("{what} not found"),
            V1Error::Storage(error) => {
                let reference = crate::telemetry::report_internal(error);
                format!("something went wrong on our side (ref {reference})")
            }
            other => other.to_string(),
        };
        let body = Json(json!({ "error": { "code": code, "message": message } }));
        let mut response = (status, body).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
