//! The routes, under the real tenant's paths. One origin serves what the real tenant splits over its
//! auth (`/v2/token`), REST (`/data`, `/hub`) and SOAP hosts; `/__sim` is the control API.

mod auth;
mod control;
mod describe;
mod rows;
mod rowset;

use crate::error::RestError;
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
            post(rows::insert).put(rows::upsert),
        )
        .route("/data/v1/async/{id}/status", get(rows::status))
        .route("/data/v1/async/{id}/results", get(rows::results))
        .route(
            "/data/v1/customobjectdata/key/{key}/rowset",
            get(rowset::read),
        )
        .route("/hub/v1/dataevents/{target}/rowset", post(rowset::upsert))
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
