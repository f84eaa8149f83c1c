//! Plain axum routes and middleware around the Leptos app.

/// `/api/v1`: the token-authenticated JSON API for contacts.
pub mod api_v1;
pub mod health;
/// `/import/contacts`: CSV files streamed in, error reports streamed out.
pub mod import;
pub mod pages;
pub mod security;
