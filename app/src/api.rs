//! Server functions. Each one is thin: parse the input into a `shared` type, ask the [`backend::Backend`]
//! (which checks who is calling), and report failures with the right HTTP status.

pub mod api_tokens;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod contacts;
pub mod crm;
pub mod imports;
pub mod runs;
pub mod session;
pub mod syncs;
pub mod users;

#[cfg(feature = "ssr")]
use crate::error::ApiError;

/// The per-request backend the server put into context (it knows the caller's session).
#[cfg(feature = "ssr")]
pub(crate) fn backend() -> Result<std::sync::Arc<dyn backend::Backend>, ApiError> {
    leptos::prelude::use_context::<std::sync::Arc<dyn backend::Backend>>()
        .ok_or_else(|| ApiError::Internal("no-backend".into()))
}

/// Sets the response status from the error, so a refused call is a real 401/403/422 on the wire and in SSR.
#[cfg(feature = "ssr")]
pub(crate) fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                response.set_status(status);
            }
        }
    }
    result
}
