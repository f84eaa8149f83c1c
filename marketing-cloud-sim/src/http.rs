//! The routes, under the real tenant's paths. One origin serves what the real tenant splits over its
//! auth (`/v2/token`), REST (`/data`, `/hub`) and SOAP hosts; `/__sim` is the control API.

mod auth;
mod control;
mod describe;
mod rows;
mod rowset;

use crate::error::RestError;
use crate::faults::Refusal;
use crate::state::{AppState, LoggedRequest};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v2/token", post(auth::token))
        .route("/data/v1/customobjects/{id}/fields", get(describe::fields))
        .route(
            "/data/v1/async/dataextensions/{target}/rows",
            post(rows::write).put(rows::write),
        )
        .route("/data/v1/async/{id}/status", get(rows::status))
        .route("/data/v1/async/{id}/results", get(rows::results))
        .route(
            "/data/v1/customobjectdata/key/{key}/rowset",
            get(rowset::read),
        )
        .route("/hub/v1/dataevents/{target}/rowset", post(rowset::upsert))
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .nest("/__sim", control::router())
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

async fn log_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if !path.starts_with("/__sim") {
        state.log.lock().push(LoggedRequest {
            method,
            path,
            status: response.status().as_u16(),
        });
    }
    response
}

/// Latency, refusals before the handler, and lost answers after a write (see [`crate::faults`]).
async fn faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (latency, refusal) = {
        let mut tenant = state.tenant.lock();
        (tenant.faults.latency_ms, tenant.faults.take_refusal())
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    if let Some(refusal) = refusal {
        return refused(refusal);
    }
    // Only row writes lose their answer; a token request is not a write.
    let path = request.uri().path();
    let write = request.method() != axum::http::Method::GET
        && (path.starts_with("/data/") || path.starts_with("/hub/"));
    let response = next.run(request).await;
    if write && response.status().is_success() && state.tenant.lock().faults.take_drop() {
        return lost(response);
    }
    response
}

fn refused(refusal: Refusal) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match refusal {
        Refusal::RateLimited { retry_after_secs } => {
            let body = serde_json::json!({
                "message": "Rate limit exceeded",
                "errorcode": 50100,
                "documentation": "",
                "retryAfter": retry_after_secs,
            });
            let retry_after = [(
                axum::http::header::RETRY_AFTER,
                retry_after_secs.to_string(),
            )];
            (StatusCode::TOO_MANY_REQUESTS, retry_after, axum::Json(body)).into_response()
        }
        Refusal::Blocked => RestError::new(
            StatusCode::TOO_MANY_REQUESTS,
            50200,
            "Your requests are temporarily blocked.",
        )
        .into_response(),
        Refusal::ServerError => RestError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            0,
            "Internal Server Error",
        )
        .into_response(),
        Refusal::Unavailable => {
            RestError::new(StatusCode::SERVICE_UNAVAILABLE, 0, "Service Unavailable")
                .into_response()
        }
    }
}

/// The write happened; its answer is cut off after the status line, so the client never reads it.
fn lost(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let cut = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
            "answer lost (fault switch)",
        ))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(cut))
}

/// The business unit of the request's live bearer token, when it carries `scope`.
fn authorize(state: &AppState, headers: &HeaderMap, scope: &str) -> Result<u64, RestError> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(RestError::not_authorized)?;
    let tenant = state.tenant.lock();
    let token = tenant
        .token(bearer.trim())
        .ok_or_else(RestError::not_authorized)?;
    if !token.has_scope(scope) {
        return Err(RestError::insufficient_privileges(scope));
    }
    Ok(token.mid)
}

/// `key:Contacts` → `Contacts`; a bare GUID is `None` here (the caller looks it up by id).
fn external_key(target: &str) -> Option<&str> {
    target
        .strip_prefix("key:")
        .or_else(|| target.strip_prefix("KEY:"))
}
