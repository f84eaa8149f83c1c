//! The client one connection uses: token cache, the send loop that obeys [`super::retry::decide`], and the
//! calls built on it. Takes `&self` everywhere so one client is shared by every task of a run.

mod attempt;
mod send;

pub(crate) use attempt::transport_error;
pub use send::{Answer, Payload, RawAnswer, RawRequest};

use super::auth::{request_token, AccessToken, Credentials};
use super::domain::OrgDomain;
use super::error::SalesforceError;
use super::retry::Idempotency;
use super::wire::{ApiUsage, Identity, Limits};
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Mutex as AsyncMutex;

/// How every client behaves; one per server, from settings.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub timeout: Duration,
    pub user_agent: String,
    /// Exact origins allowed besides real Salesforce hosts (the simulator in tests and the demo). Empty in
    /// production.
    pub extra_allowed: Vec<String>,
    /// `Sforce-Auto-Assign`: false unless the customer wants assignment rules to run (doc §2.2).
    pub auto_assign: bool,
    /// Multiplies every backoff delay: 1.0 in production; tests use 0.0 so retries happen at once.
    pub backoff_scale: f64,
    /// A PEM certificate to trust besides the public roots (the simulator's self-signed one).
    pub extra_root_pem: Option<Vec<u8>>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            user_agent: concat!("komo-crm-sync/", env!("CARGO_PKG_VERSION")).to_owned(),
            extra_allowed: Vec::new(),
            auto_assign: false,
            backoff_scale: 1.0,
            extra_root_pem: None,
        }
    }
}

/// What Test Connection shows: the org and the run-as user the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionCheck {
    pub org_id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub api_usage: Option<ApiUsage>,
}

pub struct SalesforceClient {
    http: reqwest::Client,
    domain: OrgDomain,
    credentials: Credentials,
    settings: ClientSettings,
    /// Held across a token request, so only one refresh is in flight and the others wait for its result.
    token: AsyncMutex<Option<AccessToken>>,
    usage: Mutex<Option<ApiUsage>>,
}

impl SalesforceClient {
    /// # Errors
    /// When the HTTP client cannot be built (a bad extra root certificate).
    pub fn new(
        domain: OrgDomain,
        credentials: Credentials,
        settings: ClientSettings,
    ) -> Result<Self, SalesforceError> {
        let mut builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(settings.user_agent.clone())
            // No redirects at all: a redirect could carry the token to another host (doc §1.6).
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(
                super::resolve::PublicOnlyResolver::new(&settings.extra_allowed),
            ))
            .https_only(settings.extra_allowed.is_empty());
        if let Some(pem) = &settings.extra_root_pem {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|e| SalesforceError::http_setup("extra root certificate", e))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .build()
            .map_err(|e| SalesforceError::http_setup("HTTP client", e))?;
        Ok(Self {
            http,
            domain,
            credentials,
            settings,
            token: AsyncMutex::new(None),
            usage: Mutex::new(None),
        })
    }

    /// The org's API usage from the last answer's `Sforce-Limit-Info` header.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.usage.lock().ok().and_then(|u| *u)
    }

    /// Gets a token and reads the identity it belongs to: what "Test" on the Connected Apps form does.
    ///
    /// # Errors
    /// Token refusals in plain words, transport errors, or an identity answer we cannot read.
    pub async fn check_connection(&self) -> Result<ConnectionCheck, SalesforceError> {
        let token = self.current_token().await?;
        let path = token.identity_path.clone().ok_or_else(|| {
            SalesforceError::unexpected("the token response named no identity URL")
        })?;
        let identity: Identity = self.get_json(&path).await?;
        // The identity answer carries no usage header; /limits does, and is worth one call here. It needs
        // "View Setup and Configuration", which an integration user may lack: then usage stays unknown.
        let api_usage = match self.limits().await {
            Ok(usage) => Some(usage),
            Err(error) => {
                tracing::info!(%error, "could not read /limits");
                self.api_usage()
            }
        };
        Ok(ConnectionCheck {
            org_id: identity.organization_id,
            username: identity.username,
            display_name: identity.display_name,
            api_usage,
        })
    }

    /// The org's daily API usage from `/limits`, kept like the header's.
    ///
    /// # Errors
    /// See [`Self::send`].
    pub async fn limits(&self) -> Result<ApiUsage, SalesforceError> {
        let limits: Limits = self
            .get_json(&format!("/services/data/{}/limits", super::API_VERSION))
            .await?;
        let entry = limits.daily_api_requests;
        let usage = ApiUsage {
            used: entry.max.saturating_sub(entry.remaining),
            allowed: entry.max,
        };
        if let Ok(mut slot) = self.usage.lock() {
            *slot = Some(usage);
        }
        Ok(usage)
    }

    /// GETs a path on the instance (e.g. `/services/data/v62.0/limits`) and decodes the JSON.
    ///
    /// # Errors
    /// See [`Self::send`].
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, SalesforceError> {
        self.send(reqwest::Method::GET, path, None, Idempotency::Safe)
            .await?
            .body
            .json()
    }

    /// The cached token, or a new one. The lock is held while asking, so concurrent callers wait for one
    /// request instead of each making their own.
    async fn current_token(&self) -> Result<AccessToken, SalesforceError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref() {
            return Ok(token.clone());
        }
        let token = self.fetch_token(0).await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    /// Replaces `stale` with a new token, unless another task already did: then its token is used.
    async fn refresh_token(&self, stale: &AccessToken) -> Result<AccessToken, SalesforceError> {
        let mut slot = self.token.lock().await;
        if let Some(current) = slot.as_ref() {
            if current.generation != stale.generation {
                return Ok(current.clone());
            }
        }
        let token = self.fetch_token(stale.generation + 1).await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn fetch_token(&self, generation: u64) -> Result<AccessToken, SalesforceError> {
        request_token(
            &self.http,
            &self.domain,
            &self.credentials,
            &self.settings.extra_allowed,
            generation,
        )
        .await
    }
}
