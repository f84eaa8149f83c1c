//! Cross-cutting behaviour: the request log and fault switches on every
//! Salesforce path (`edge`), and version, session, allowance and the usage
//! header on the data API (`data_api`).

use crate::error::ApiError;
use crate::state::{AppState, Ctx, LoggedRequest};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};

/// Marks a response that must not be sent: the serve loop drops the
/// connection instead (the "write applied, answer lost" fault).
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

pub async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let started = Instant::now();
    let (latency_ms, fail) = {
        let mut guard = state.org.lock();
        let org = &mut *guard;
        (org.faults.latency_ms, org.faults.take_failure(&mut org.rng))
    };
    if latency_ms > 0 {
        // Simulated server latency, not a test waiting for something.
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let response = if fail {
        ApiError::unavailable().into_response()
    } else {
        next.run(req).await
    };
    state.log.lock().push(LoggedRequest {
        method,
        path,
        query,
        status: response.status().as_u16(),
        micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    });
    response
}

/// `62.0` from `/services/data/v62.0/…` (or the newest for `latest`), or the
/// error Salesforce gives for an unknown or retired version.
fn api_version(path: &str, oldest: u32, latest: u32) -> Result<String, ApiError> {
    let segment = path
        .trim_start_matches("/services/data/")
        .split('/')
        .next()
        .unwrap_or("");
    if segment == "latest" {
        return Ok(format!("{latest}.0"));
    }
    let major = segment
        .strip_prefix('v')
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or_else(ApiError::not_found)?;
    if major > latest || major < 21 {
        return Err(ApiError::not_found());
    }
    if major < oldest {
        // Retired versions answer 410 (doc §2.1); body wording [unverified].
        return Err(ApiError::new(
            StatusCode::GONE,
            "API_VERSION_RETIRED",
            format!("API version {major}.0 has been retired"),
        ));
    }
    Ok(format!("{major}.0"))
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    // Salesforce also accepts the older `OAuth <token>` scheme.
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

pub async fn data_api(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let is_write = matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    );
    let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
    let ctx = {
        let mut org = state.org.lock();
        let version = match api_version(
            req.uri().path(),
            org.config.oldest_version,
            org.config.latest_version,
        ) {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        };
        let Some(token) = bearer(&req) else {
            return ApiError::invalid_session().into_response();
        };
        let user_id = match org.touch_token(&token) {
            Ok(u) => u,
            Err(e) => return e.into_response(),
        };
        if let Err(e) = org.charge_api_call() {
            let mut response = e.into_response();
            add_limit_header(&mut response, &org.limit_info());
            return response;
        }
        Ctx { version, user_id }
    };
    req.extensions_mut().insert(ctx);
    let mut response = next.run(req).await;
    let mut org = state.org.lock();
    add_limit_header(&mut response, &org.limit_info());
    if is_write && response.status().is_success() && org.faults.take_drop(&method, &path) {
        response.extensions_mut().insert(DropConnection);
    }
    response
}

fn add_limit_header(response: &mut Response, info: &str) {
    if let Ok(v) = HeaderValue::from_str(info) {
        response.headers_mut().insert("sforce-limit-info", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_resolve_alias_and_refuse_unknown_or_retired() {
        assert_eq!(
            api_version("/services/data/v62.0/limits", 31, 66)
                .ok()
                .as_deref(),
            Some("62.0")
        );
        assert_eq!(
            api_version("/services/data/latest/limits", 31, 66)
                .ok()
                .as_deref(),
            Some("66.0")
        );
        assert_eq!(
            api_version("/services/data/v99.0/limits", 31, 66).map_err(|e| e.status),
            Err(StatusCode::NOT_FOUND)
        );
        assert_eq!(
            api_version("/services/data/v30.0/limits", 31, 66).map_err(|e| e.status),
            Err(StatusCode::GONE)
        );
        assert_eq!(
            api_version("/services/data/62/limits", 31, 66).map_err(|e| e.status),
            Err(StatusCode::NOT_FOUND)
        );
    }
}
