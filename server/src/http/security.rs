//! Headers and checks every response and request gets: who may frame us, and refusing cross-origin writes.

use crate::config::Settings;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Decided once from settings.
#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    /// `frame-ancestors 'self' https://app.komo.tech …`: the app works inside a Komo iframe, nowhere else.
    content_security_policy: HeaderValue,
    /// The configured public origin, if any; otherwise a request's own `Host` is its origin.
    public_origin: Option<String>,
}

impl SecurityPolicy {
    /// # Panics
    /// Never: origins were validated by [`Settings`], so the header value is printable ASCII.
    pub fn from_settings(settings: &Settings) -> Self {
        let mut policy = String::from("frame-ancestors 'self'");
        for origin in &settings.frame_ancestors {
            policy.push(' ');
            policy.push_str(origin);
        }
        Self {
            content_security_policy: HeaderValue::from_str(&policy)
                .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'")),
            public_origin: settings
                .public_url
                .as_ref()
                .map(|u| u.origin().ascii_serialization()),
        }
    }
}

/// Adds the security headers and refuses writes that a browser sent from another site (CSRF).
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let policy = &state.security;
    if is_cross_origin_write(
        request.method(),
        request.headers(),
        policy.public_origin.as_deref(),
    ) {
        tracing::warn!(path = request.uri().path(), "refused a cross-origin write");
        return (
            StatusCode::FORBIDDEN,
            "Cross-origin requests are not allowed.",
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        policy.content_security_policy.clone(),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// True when a state-changing request comes from a page on another origin.
///
/// Browsers send `Sec-Fetch-Site` (all current ones) and `Origin` on every cross-site POST, so either
/// proves where a write came from. A request with neither is not from a browser page (curl, the tests,
/// server-to-server) and cannot carry a victim's cookie by accident, so it passes.
pub fn is_cross_origin_write(
    method: &Method,
    headers: &HeaderMap,
    public_origin: Option<&str>,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text("origin") else {
        return false;
    };
    match public_origin {
        Some(public) => !origin.eq_ignore_ascii_case(public),
        None => {
            let host = text("host").unwrap_or_default();
            let origin_host = origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or("null");
            !origin_host.eq_ignore_ascii_case(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cross_origin_writes_are_recognised() {
        let post = Method::POST;
        let cases: [(&Method, HeaderMap, Option<&str>, bool); 9] = [
            (
                &Method::GET,
                headers(&[("origin", "https://evil.example")]),
                None,
                false,
            ),
            (&post, headers(&[]), None, false),
            (
                &post,
                headers(&[("sec-fetch-site", "same-origin")]),
                None,
                false,
            ),
            (
                &post,
                headers(&[("sec-fetch-site", "cross-site")]),
                None,
                true,
            ),
            (
                &post,
                headers(&[("sec-fetch-site", "same-site")]),
                None,
                true,
            ),
            (
                &post,
                headers(&[
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:3000"),
                ]),
                None,
                false,
            ),
            (
                &post,
                headers(&[
                    ("origin", "https://evil.example"),
                    ("host", "127.0.0.1:3000"),
                ]),
                None,
                true,
            ),
            (
                &post,
                headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]),
                None,
                true,
            ),
            (
                &post,
                headers(&[("origin", "https://sync.komo.tech")]),
                Some("https://sync.komo.tech"),
                false,
            ),
        ];
        for (i, (method, headers, public, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                is_cross_origin_write(method, &headers, public),
                expected,
                "case {i}"
            );
        }
    }
}
