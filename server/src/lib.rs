//! The Komo CRM Sync server: serves the Leptos app, runs its server functions, owns persistence.
//! Reading order: `main.rs` → [`config`] → [`startup`] → [`http`] → [`backend`] → [`storage`].

/// Passwords, throttling, session keys.
pub mod auth;
/// The server functions' backends (one trait per resource, from `app::api`), with role checks.
pub mod backend;
/// First start: the first workspace and super user.
pub mod bootstrap;
/// Settings from environment variables.
pub mod config;
/// Encryption of stored secrets.
pub mod crypto;
/// `KOMO_DEMO=1`: realistic contacts for a newcomer.
pub mod demo;
/// The push engine: runs that push a sync's contacts into the CRM.
pub mod engine;
/// Routes and middleware outside Leptos.
pub mod http;
/// Streaming CSV contact import.
pub mod import;
/// The cache of Salesforce clients, one per saved connection.
pub mod org_cache;
pub mod salesforce;
/// Builds the app from settings.
pub mod startup;
/// Shared handler state.
pub mod state;
/// SQLite and PostgreSQL.
pub mod storage;
/// Logs.
pub mod telemetry;
