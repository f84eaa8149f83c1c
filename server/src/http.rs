//! Plain axum routes and middleware around the Leptos app.

pub mod health;
pub mod pages;
pub mod security;
