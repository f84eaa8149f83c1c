//! OAuth 2.0 client credentials (doc §1.2–1.5): ask the org's token endpoint for an access token.

use super::domain::OrgDomain;
use super::error::SalesforceError;
use super::wire::{OAuthError, TokenResponse};
use secrecy::{ExposeSecret, SecretString};

/// What the customer hands over: consumer key and secret. The secret is never logged or serialised.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A session id and where to use it. `generation` tells apart tokens, so after a 401 only the first
/// waiter refreshes and the others reuse its new token.
#[derive(Clone)]
pub struct AccessToken {
    pub value: SecretString,
    /// The validated REST base (`instance_url`, checked like the domain itself).
    pub instance: OrgDomain,
    /// `/id/{orgId}/{userId}`: read on the instance host, never on whatever host the `id` URL names.
    pub identity_path: Option<String>,
    pub generation: u64,
}

/// `POST {domain}/services/oauth2/token` with `grant_type=client_credentials`.
///
/// # Errors
/// [`SalesforceError::Token`] naming the cause for each documented refusal; `UntrustedInstance` when the
/// answer points elsewhere than an allowed host; transport errors otherwise.
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn request_token(
    http: &reqwest::Client,
    domain: &OrgDomain,
    credentials: &Credentials,
    extra_allowed: &[String],
    generation: u64,
) -> Result<AccessToken, SalesforceError> {
    let url = format!("{}/services/oauth2/token", domain.base_url());
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.expose_secret()),
    ];
    let response = http
        .post(&url)
        .form(&form)
        .send()
        .await
        .map_err(|e| super::client::transport_error(domain, e))?;
    let status = response.status();
    if status.is_redirection() {
        let to = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("another address")
            .to_owned();
        return Err(SalesforceError::Redirected(to));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| super::client::transport_error(domain, e))?;
    if !status.is_success() {
        return Err(match serde_json::from_slice::<OAuthError>(&body) {
            Ok(refusal) => SalesforceError::Token {
                error: refusal.error,
                description: refusal.error_description,
            },
            Err(_) => SalesforceError::Api {
                status: status.as_u16(),
                code: "TOKEN_REQUEST_FAILED".into(),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
            },
        });
    }
    let token: TokenResponse =
        serde_json::from_slice(&body).map_err(|e| SalesforceError::json("token response", e))?;
    let instance = OrgDomain::parse(&token.instance_url, extra_allowed)
        .map_err(|_| SalesforceError::UntrustedInstance(token.instance_url.clone()))?;
    tracing::info!(generation, "received an access token");
    Ok(AccessToken {
        value: SecretString::from(token.access_token),
        instance,
        identity_path: token.id.find("/id/").map(|at| token.id[at..].to_owned()),
        generation,
    })
}
