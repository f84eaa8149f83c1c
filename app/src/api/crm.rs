//! CRM connections (super users only). The Connected Apps issue fills in connecting and testing; the list
//! is here now because the CRM pages and their role checks stand on it.

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One connected CRM org, as the Connected Apps and Syncs pages list it. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub id: i64,
    pub crm: String,
    pub domain: String,
}

#[server(endpoint = "list_connections")]
pub async fn list_connections() -> Result<Vec<ConnectionSummary>, ApiError> {
    use super::{backend, respond};
    respond(backend()?.list_connections().await)
}
