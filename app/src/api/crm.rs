//! CRM connections: Account Settings → Connected Apps (super users only).

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionStatus {
    /// The last test succeeded.
    Connected,
    /// The last test failed; `last_error` says why.
    Failing,
}

/// One connected CRM org, as the Connected Apps and Syncs pages list it. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub id: i64,
    pub crm: String,
    pub domain: String,
    pub client_id: String,
    pub status: ConnectionStatus,
    /// Unix seconds.
    pub last_tested_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub org_id: Option<String>,
    pub run_as_username: Option<String>,
    /// API requests used / allowed in the rolling 24 hours, from the last answer.
    pub api_usage: Option<(i64, i64)>,
}

/// What "Test" found: a green "Connection successful" with the org and run-as user, or the cause in plain
/// words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
    pub org_id: Option<String>,
    pub run_as_username: Option<String>,
    pub api_usage: Option<(i64, i64)>,
}

/// The Connected Apps form. `connection_id` is set when editing; a blank `client_secret` then keeps the
/// stored one (the field is write-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionForm {
    pub connection_id: Option<i64>,
    pub domain: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The server side of Connected Apps. Super users only, every method.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ConnectionsBackend: Send + Sync {
    /// The workspace's CRM connections.
    async fn list_connections(&self) -> Result<Vec<ConnectionSummary>, ApiError>;
    /// Gets a token and reads the run-as identity; records the result on a saved connection.
    async fn test_connection(&self, form: ConnectionForm) -> Result<ConnectionTest, ApiError>;
    /// Tests, then creates or updates the connection if the test succeeded.
    async fn save_connection(&self, form: ConnectionForm) -> Result<ConnectionSummary, ApiError>;
    async fn disconnect(&self, connection_id: i64) -> Result<(), ApiError>;
}

#[server(endpoint = "list_connections")]
pub async fn list_connections() -> Result<Vec<ConnectionSummary>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_connections().await }).await
}

/// Tests the credentials in the form without saving them (a saved connection's result is recorded on it).
#[server(endpoint = "test_connection")]
pub async fn test_connection(
    connection_id: Option<i64>,
    domain: String,
    client_id: String,
    client_secret: String,
) -> Result<ConnectionTest, ApiError> {
    use super::{backend, respond};
    let form = ConnectionForm {
        connection_id,
        domain,
        client_id,
        client_secret,
    };
    respond(async { backend()?.test_connection(form).await }).await
}

/// "Connect": tests, and saves only when the test succeeds, so a typo never replaces working credentials.
#[server(endpoint = "save_connection")]
pub async fn save_connection(
    connection_id: Option<i64>,
    domain: String,
    client_id: String,
    client_secret: String,
) -> Result<ConnectionSummary, ApiError> {
    use super::{backend, respond};
    let form = ConnectionForm {
        connection_id,
        domain,
        client_id,
        client_secret,
    };
    respond(async { backend()?.save_connection(form).await }).await
}

#[server(endpoint = "disconnect")]
pub async fn disconnect(connection_id: i64) -> Result<(), ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.disconnect(connection_id).await }).await
}
