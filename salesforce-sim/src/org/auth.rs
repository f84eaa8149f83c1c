//! Client-credentials tokens (doc §1) and the daily API allowance (doc §2.3, §8).

use super::Org;
use crate::config::TokenFault;
use crate::error::{ApiError, OAuthError};
use crate::ids::make_id;
use axum::http::StatusCode;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub user_id: String,
    pub last_used_ms: i64,
}

/// What the token endpoint hands out; the handler adds the URLs.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: String,
    pub user_id: String,
    pub issued_at_ms: i64,
}

impl Org {
    /// The id of the user with this username, creating the user on first use.
    pub fn user_for(&mut self, username: &str) -> String {
        if let Some(u) = self
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
        {
            return u.id.clone();
        }
        let id = make_id("005", self.users.len() as u64);
        self.users.push(User {
            id: id.clone(),
            username: username.to_owned(),
        });
        id
    }

    pub fn user_by_id(&self, id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.id == id || (id.len() == 15 && u.id.starts_with(id)))
    }

    /// The client-credentials grant, with §1.4's errors driven by the app's settings.
    pub fn issue_token(
        &mut self,
        client_id: &str,
        client_secret: &str,
        host: Option<&str>,
    ) -> Result<TokenGrant, OAuthError> {
        if let (Some(expected), Some(host)) = (&self.config.my_domain_host, host) {
            let bare = host.split(':').next().unwrap_or(host);
            if !bare.eq_ignore_ascii_case(expected) {
                return Err(OAuthError::new(
                    "invalid_grant",
                    "request not supported on this domain",
                ));
            }
        }
        let Some(app) = self.apps.get(client_id).cloned() else {
            return Err(OAuthError::new(
                "invalid_client_id",
                "client identifier invalid",
            ));
        };
        if app.client_secret != client_secret {
            return Err(OAuthError::new(
                "invalid_client",
                "invalid client credentials",
            ));
        }
        if !app.flow_enabled {
            let code = self.config.flow_disabled_error.clone();
            return Err(OAuthError::new(
                &code,
                "client credentials flow not enabled",
            ));
        }
        let Some(run_as) = app.run_as.as_deref() else {
            return Err(OAuthError::new(
                "invalid_grant",
                "no client credentials user enabled",
            ));
        };
        match app.token_fault {
            Some(TokenFault::UserNotApproved) => {
                return Err(OAuthError::new(
                    "invalid_grant",
                    "user hasn't approved this consumer",
                ))
            }
            Some(TokenFault::InactiveUser) => {
                return Err(OAuthError::new("invalid_grant", "inactive user"))
            }
            Some(TokenFault::NotAdminApproved) => {
                return Err(OAuthError::new(
                    "invalid_app_access",
                    "user is not admin approved to access this app",
                ))
            }
            Some(TokenFault::UnknownError) => {
                return Err(OAuthError::new("unknown_error", "retry your request"))
            }
            None => {}
        }
        let user_id = self.user_for(run_as);
        // Shaped like a real session id: `{orgId15}!{opaque}` (doc §9).
        let opaque: String = (&mut self.rng)
            .sample_iter(&Alphanumeric)
            .take(96)
            .map(char::from)
            .collect();
        let org15 = self
            .config
            .org_id
            .get(..15)
            .unwrap_or(&self.config.org_id)
            .to_owned();
        let access_token = format!("{org15}!AQ{opaque}");
        let now = self.now_ms();
        self.tokens.insert(
            access_token.clone(),
            Token {
                user_id: user_id.clone(),
                last_used_ms: now,
            },
        );
        Ok(TokenGrant {
            access_token,
            user_id,
            issued_at_ms: now,
        })
    }

    /// Checks a bearer token and restarts its idle timer; returns its user id.
    pub fn touch_token(&mut self, token: &str) -> Result<String, ApiError> {
        let now = self.now_ms();
        let idle_ms = self.config.token_idle_timeout.as_millis() as i64;
        let Some(t) = self.tokens.get_mut(token) else {
            return Err(ApiError::invalid_session());
        };
        if now - t.last_used_ms >= idle_ms {
            self.tokens.remove(token);
            return Err(ApiError::invalid_session());
        }
        t.last_used_ms = now;
        Ok(t.user_id.clone())
    }

    pub fn expire_all_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Counts one metered call, or refuses it once the allowance is spent.
    pub fn charge_api_call(&mut self) -> Result<(), ApiError> {
        if let Some(message) = self.faults.request_limit.clone() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                message,
            ));
        }
        if self.api_used >= self.api_max {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            ));
        }
        self.api_used += 1;
        Ok(())
    }

    /// `Sforce-Limit-Info` value (doc §2.3).
    pub fn limit_info(&self) -> String {
        format!("api-usage={}/{}", self.api_used, self.api_max)
    }
}
