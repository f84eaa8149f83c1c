//! Plain axum routes and middleware around the Leptos app.

/// `/api/v1`: the token-authenticated JSON API for contacts.
pub mod api_v1;
pub mod health;
pub mod pages;
pub mod security;
