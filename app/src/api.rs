//! Server functions, one file per resource. Each is thin: parse the input into a `shared` type and ask
//! that resource's backend trait, declared in the same file (`syncs::SyncsBackend`, …) and implemented by
//! the server in `server/src/backend/<resource>.rs`. The server checks who is calling inside every method
//! (see [`backend`]); [`respond`] wraps each function once, so every failure carries its HTTP status.

pub mod api_tokens;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod contacts;
pub mod crm;
pub mod imports;
pub mod json_arg;
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

/// The backend, once the caller is proved a super user: for server functions that judge their input
/// before asking the backend, so that a member is told "forbidden" rather than what was wrong with it.
#[cfg(feature = "ssr")]
pub(crate) async fn super_user_backend() -> Result<std::sync::Arc<dyn backend::Backend>, ApiError> {
    let backend = backend()?;
    backend.require_super_user().await?;
    Ok(backend)
}

/// Runs a server function's work and sets the response status from its error, so a refused call is a
/// real 401/403/422 on the wire and in SSR. One call per function, around all of its steps.
#[cfg(feature = "ssr")]
pub(crate) async fn respond<T>(
    work: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let result = work.await;
    if let Err(error) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                response.set_status(status);
            }
            if let Some(seconds) = error.retry_after_secs() {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
    }
    result
}
