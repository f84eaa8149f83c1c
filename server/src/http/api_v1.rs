//! `/api/v1`: the JSON API the Komo workspace feeds contacts through, authenticated by workspace API
//! tokens (`auth.rs`). Described by `GET /api/v1/openapi.json`.
//!
//! Nested under `/api/v1` in the main router: the static `v1` segment takes precedence over the server
//! functions' `/api/{*fn_name}`. The CSRF middleware lets these calls through because API clients send no
//! `Origin`; a browser page on another site still cannot write, and a cookie alone authenticates nothing here.

mod auth;
/// Bulk bodies read with bounded memory, and the turns that bound concurrent bulk requests.
mod bulk_body;
mod contacts;
mod error;
mod openapi;
pub mod token;
mod wire;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::Router;
pub use bulk_body::{MAX_BULK, MAX_ITEM_BYTES};
pub use error::V1Error;

/// Largest request body: 10,000 contacts of about 1 KB each (a contact with every standard field filled
/// and a few custom properties is 400–600 bytes of JSON).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::spec))
        .route("/contacts", get(contacts::list))
        .route("/contacts/bulk", post(contacts::bulk_upsert))
        .route(
            "/contacts/{email}",
            get(contacts::get).delete(contacts::delete),
        )
        .route("/fields", get(contacts::fields))
        // An explicit catch-all, not a fallback: nested routes are flattened into the main router, where
        // a fallback would lose to the server functions' `/api/{*fn_name}`.
        .route("/{*rest}", any(|| async { V1Error::NotFound("endpoint") }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
