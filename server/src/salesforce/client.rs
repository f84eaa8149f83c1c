//! The client one connection uses: token cache, the send loop that obeys [`super::retry::decide`], and the
//! calls built on it. Takes `&self` everywhere so one client is shared by every task of a run.

use super::auth::{request_token, AccessToken, Credentials};
use super::domain::OrgDomain;
use super::error::SalesforceError;
use super::retry::{decide, Decision, Idempotency, Outcome};
use super::wire::{ApiErrorItem, ApiUsage, Identity};
use secrecy::ExposeSecret;
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

/// A successful answer.
pub struct Answer {
    pub status: u16,
    pub body: bytes_body::Body,
}

pub mod bytes_body {
    /// The raw body of an answer; decode with [`Body::json`].
    pub struct Body(pub(crate) Vec<u8>);
    impl Body {
        /// # Errors
        /// When the body is not the expected JSON.
        pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, super::SalesforceError> {
            serde_json::from_slice(&self.0)
                .map_err(|e| super::SalesforceError::Decode(e.to_string()))
        }
        pub fn bytes(&self) -> &[u8] {
            &self.0
        }
    }
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
            .https_only(settings.extra_allowed.is_empty());
        if let Some(pem) = &settings.extra_root_pem {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|e| SalesforceError::Decode(format!("extra root certificate: {e}")))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .build()
            .map_err(|e| SalesforceError::Decode(format!("HTTP client: {e}")))?;
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
            SalesforceError::Decode("the token response named no identity URL".into())
        })?;
        let identity: Identity = self.get_json(&path).await?;
        Ok(ConnectionCheck {
            org_id: identity.organization_id,
            username: identity.username,
            display_name: identity.display_name,
            api_usage: self.api_usage(),
        })
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

    /// Sends one request with the current token, refreshing it once on `INVALID_SESSION_ID` and backing off
    /// on "not now" answers, as [`decide`] says.
    ///
    /// # Errors
    /// `Api` for a refusal (with Salesforce's code and message), `SessionRejectedTwice`, `Ambiguous` when an
    /// unsafe write's answer was lost, or the transport error after the last attempt.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<Answer, SalesforceError> {
        let mut token = self.current_token().await?;
        let mut refreshed = false;
        let mut attempt = 1;
        loop {
            let mut request = self
                .http
                .request(
                    method.clone(),
                    format!("{}{path}", token.instance.base_url()),
                )
                .bearer_auth(token.value.expose_secret())
                .header("Accept", "application/json")
                .header(
                    "Sforce-Auto-Assign",
                    if self.settings.auto_assign {
                        "TRUE"
                    } else {
                        "FALSE"
                    },
                );
            if let Some(body) = body {
                request = request.json(body);
            }
            // Either a finished answer, or how the attempt failed and the error to report if we stop here.
            let failed = match request.send().await {
                Err(e) => {
                    let outcome = if e.is_connect() {
                        Outcome::NotSent
                    } else {
                        Outcome::NoAnswer
                    };
                    Failed::Transport(outcome, transport_error(&token.instance, &e))
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    self.remember_usage(response.headers());
                    match response.bytes().await {
                        Err(e) => Failed::Transport(
                            Outcome::NoAnswer,
                            transport_error(&token.instance, &e),
                        ),
                        Ok(bytes) if (200..300).contains(&status) => {
                            return Ok(Answer {
                                status,
                                body: bytes_body::Body(bytes.to_vec()),
                            })
                        }
                        Ok(bytes) => Failed::Refused(api_error(status, &bytes)),
                    }
                }
            };
            let outcome = match &failed {
                Failed::Transport(outcome, _) => *outcome,
                Failed::Refused(SalesforceError::Api { status, code, .. }) => Outcome::Answered {
                    status: *status,
                    error_code: Some(code.as_str()),
                },
                Failed::Refused(_) => Outcome::Answered {
                    status: 0,
                    error_code: None,
                },
            };
            match decide(outcome, attempt, refreshed, idempotency, rand::random()) {
                Decision::Ambiguous => return Err(SalesforceError::Ambiguous),
                Decision::Stop => {
                    return Err(match failed {
                        Failed::Refused(SalesforceError::Api { status: 401, .. }) if refreshed => {
                            SalesforceError::SessionRejectedTwice
                        }
                        Failed::Refused(error) | Failed::Transport(_, error) => error,
                    })
                }
                Decision::RefreshThenRetry => {
                    token = self.refresh_token(&token).await?;
                    refreshed = true;
                }
                Decision::RetryAfter(delay) => {
                    tracing::info!(attempt, ?delay, "Salesforce said not now; retrying");
                    self.wait(delay).await;
                }
            }
            attempt += 1;
        }
    }

    async fn wait(&self, delay: Duration) {
        let scaled = delay.mul_f64(self.settings.backoff_scale.max(0.0));
        if !scaled.is_zero() {
            tokio::time::sleep(scaled).await;
        }
    }

    fn remember_usage(&self, headers: &reqwest::header::HeaderMap) {
        let usage = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::from_header);
        if let (Some(usage), Ok(mut slot)) = (usage, self.usage.lock()) {
            *slot = Some(usage);
        }
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

/// How one attempt failed.
enum Failed {
    Transport(Outcome<'static>, SalesforceError),
    Refused(SalesforceError),
}

/// Reads Salesforce's error array (`[{"errorCode": …, "message": …}]`); keeps the first item.
fn api_error(status: u16, body: &[u8]) -> SalesforceError {
    match serde_json::from_slice::<Vec<ApiErrorItem>>(body)
        .ok()
        .and_then(|v| v.into_iter().next())
    {
        Some(item) => SalesforceError::Api {
            status,
            code: item.error_code,
            message: item.message,
        },
        None => SalesforceError::Api {
            status,
            code: format!("HTTP_{status}"),
            message: String::from_utf8_lossy(body).chars().take(200).collect(),
        },
    }
}

/// A reqwest failure in words a super user understands; never includes the URL's query or headers.
pub(crate) fn transport_error(domain: &OrgDomain, error: &reqwest::Error) -> SalesforceError {
    if error.is_timeout() {
        return SalesforceError::Timeout;
    }
    let reason = if error.is_connect() {
        "the connection was refused or the name does not resolve".to_owned()
    } else if error.is_request() {
        "the request could not be sent".to_owned()
    } else {
        "the connection failed".to_owned()
    };
    SalesforceError::Unreachable {
        host: domain.name().to_owned(),
        reason,
    }
}
