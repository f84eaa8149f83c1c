use crate::storage::Storage;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;
use std::sync::Arc;

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub storage: Storage,
    pub leptos_options: LeptosOptions,
    pub routes: Arc<Vec<AxumRouteListing>>,
    pub security: Arc<crate::http::security::SecurityPolicy>,
    /// Seals and opens stored CRM secrets.
    pub secrets: Arc<crate::crypto::SecretBox>,
    /// How every Salesforce client behaves (allowed hosts, timeouts, extra root certificate).
    pub salesforce: Arc<crate::salesforce::ClientSettings>,
    /// A client per connected org, reused across requests and runs.
    pub orgs: Arc<crate::org_cache::OrgCache>,
    /// Wakes an idle push worker of this instance when "Sync now" queues a run.
    pub engine_wake: Arc<tokio::sync::Notify>,
    /// Bounds the password hashes running at once (sign-in floods).
    pub hash_gate: Arc<crate::auth::gate::HashGate>,
    /// How long a progress stream waits with a run that stays queued (`KOMO_PROGRESS_QUEUED_PATIENCE_SECS`).
    pub progress_patience: std::time::Duration,
    /// Turns for `POST /api/v1/contacts/bulk` (`KOMO_API_BULK_CONCURRENCY`).
    pub bulk_turns: Arc<tokio::sync::Semaphore>,
    /// Proxies whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
