//! Connected Apps: test, save and remove Salesforce connections. The secret is taken from the form, or,
//! when the form leaves it blank on an existing connection, unsealed from storage; it never goes back out.

use super::{internal, RequestBackend};
use crate::salesforce::auth::Credentials;
use crate::salesforce::{OrgDomain, SalesforceClient};
use crate::storage::connections::{ConnectionRecord, TestRecord};
use crate::storage::WorkspaceId;
use app::api::crm::{ConnectionForm, ConnectionSummary, ConnectionTest, ConnectionsBackend};
use app::error::ApiError;
use secrecy::SecretString;

const CRM: &str = "salesforce";

fn seal_context(workspace: WorkspaceId) -> Vec<u8> {
    crate::crypto::connection_context(workspace.0)
}

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

struct Parsed {
    domain: OrgDomain,
    client_id: String,
    /// A secret typed into the form, if any.
    new_secret: Option<SecretString>,
}

/// What a form names of a saved connection it edits or tests.
struct Saved {
    id: i64,
    /// The form keeps the saved domain and client id: what it tests is that connection.
    same_app: bool,
}

impl RequestBackend {
    fn parse_connection_form(&self, form: &ConnectionForm) -> Result<Parsed, ApiError> {
        let domain = OrgDomain::parse(&form.domain, &self.salesforce.extra_allowed)
            .map_err(|e| invalid("domain", format!("CRM Domain Name: {e}")))?;
        let client_id = form.client_id.trim().to_owned();
        if client_id.is_empty() {
            return Err(invalid(
                "client_id",
                "Client ID: copy the consumer key of your connected app",
            ));
        }
        let secret = form.client_secret.trim();
        let new_secret = (!secret.is_empty()).then(|| SecretString::from(secret.to_owned()));
        if new_secret.is_none() && form.connection_id.is_none() {
            return Err(invalid(
                "client_secret",
                "Client Secret: copy the consumer secret of your connected app",
            ));
        }
        Ok(Parsed {
            domain,
            client_id,
            new_secret,
        })
    }

    /// The saved connection a form names, if any, and whether the form still names its org and app.
    async fn saved_connection(
        &self,
        workspace: WorkspaceId,
        form: &ConnectionForm,
        parsed: &Parsed,
    ) -> Result<Option<Saved>, ApiError> {
        let Some(id) = form.connection_id else {
            return Ok(None);
        };
        let saved = self.storage.find_connection(workspace, id).await?;
        Ok(Some(Saved {
            id,
            same_app: saved.domain == parsed.domain.name() && saved.client_id == parsed.client_id,
        }))
    }

    /// The stored secret of a saved connection, only for the org and app it was saved for: a blank secret
    /// with a changed domain or client id would otherwise send one org's secret to another host.
    async fn stored_secret(
        &self,
        workspace: WorkspaceId,
        saved: &Saved,
    ) -> Result<SecretString, ApiError> {
        if !saved.same_app {
            return Err(invalid(
                "client_secret",
                "Client Secret: type it again when you change the CRM Domain Name or Client ID \
                 (the saved secret only ever goes to the org it was saved for)",
            ));
        }
        let sealed = self.storage.connection_secret(workspace, saved.id).await?;
        let (secret, _) = self
            .secrets
            .open(&sealed, &seal_context(workspace))
            .map_err(internal)?;
        Ok(secret)
    }

    /// Runs the check; a refusal is a result to show, not an error.
    async fn run_connection_test(
        &self,
        workspace: WorkspaceId,
        form: &ConnectionForm,
    ) -> Result<(Parsed, Option<Saved>, ConnectionTest), ApiError> {
        let parsed = self.parse_connection_form(form)?;
        let saved = self.saved_connection(workspace, form, &parsed).await?;
        let secret = match (&parsed.new_secret, &saved) {
            (Some(secret), _) => secret.clone(),
            (None, Some(saved)) => self.stored_secret(workspace, saved).await?,
            (None, None) => return Err(invalid("client_secret", "Client Secret: it is required")),
        };
        let credentials = Credentials {
            client_id: parsed.client_id.clone(),
            client_secret: secret,
        };
        let client = SalesforceClient::new(
            parsed.domain.clone(),
            credentials,
            (*self.salesforce).clone(),
        )
        .map_err(internal)?;
        let test = match client.check_connection().await {
            Ok(check) => {
                ConnectionTest {
                    ok: true,
                    message: format!(
                        "Connection successful: org {} as {}.",
                        check.org_id,
                        check.display_name.as_deref().map_or(
                            check.username.clone(),
                            |name| format!("{name} ({})", check.username)
                        )
                    ),
                    org_id: Some(check.org_id),
                    run_as_username: Some(check.username),
                    api_usage: check.api_usage.map(|u| (to_i64(u.used), to_i64(u.allowed))),
                }
            }
            Err(error) => {
                tracing::info!(domain = %parsed.domain, error = %error, "connection test failed");
                ConnectionTest {
                    ok: false,
                    message: error.to_string(),
                    org_id: None,
                    run_as_username: None,
                    api_usage: client
                        .api_usage()
                        .map(|u| (to_i64(u.used), to_i64(u.allowed))),
                }
            }
        };
        Ok((parsed, saved, test))
    }

    async fn record_test(
        &self,
        workspace: WorkspaceId,
        id: i64,
        test: &ConnectionTest,
    ) -> Result<ConnectionSummary, ApiError> {
        let record = TestRecord {
            ok: test.ok,
            error: (!test.ok).then_some(test.message.as_str()),
            org_id: test.org_id.as_deref(),
            run_as_username: test.run_as_username.as_deref(),
            api_usage: test.api_usage,
        };
        Ok(self
            .storage
            .record_connection_test(workspace, id, &record)
            .await?)
    }
}

#[async_trait::async_trait]
impl ConnectionsBackend for RequestBackend {
    async fn list_connections(&self) -> Result<Vec<ConnectionSummary>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_connections(workspace).await?)
    }

    async fn test_connection(&self, form: ConnectionForm) -> Result<ConnectionTest, ApiError> {
        let workspace = self.super_user().await?;
        let (_, saved, test) = self.run_connection_test(workspace, &form).await?;
        // A test of other credentials (a changed domain or client id) says nothing about the saved
        // connection, so only a test of its own org and app is recorded on it.
        if let Some(saved) = saved.filter(|s| s.same_app) {
            self.record_test(workspace, saved.id, &test).await?;
        }
        Ok(test)
    }

    async fn save_connection(&self, form: ConnectionForm) -> Result<ConnectionSummary, ApiError> {
        let workspace = self.super_user().await?;
        let (parsed, _, test) = self.run_connection_test(workspace, &form).await?;
        if !test.ok {
            // Nothing is saved: working credentials are never replaced by ones that fail.
            return Err(invalid("connection", test.message));
        }
        let sealed = parsed.new_secret.as_ref().map(|secret| {
            self.secrets.seal(
                secrecy::ExposeSecret::expose_secret(secret),
                &seal_context(workspace),
            )
        });
        let record = ConnectionRecord {
            crm: CRM,
            domain: parsed.domain.name(),
            client_id: &parsed.client_id,
            secret_sealed: sealed.as_deref(),
        };
        let duplicate = |e| match e {
            crate::storage::StorageError::Duplicate(_) => invalid(
                "domain",
                "CRM Domain Name: this org is already connected to your workspace",
            ),
            other => other.into(),
        };
        let saved = match form.connection_id {
            None => self
                .storage
                .insert_connection(workspace, &record)
                .await
                .map_err(duplicate)?,
            Some(id) => self
                .storage
                .update_connection(workspace, id, &record)
                .await
                .map_err(duplicate)?,
        };
        tracing::info!(connection_id = saved.id, "connection saved");
        self.record_test(workspace, saved.id, &test).await
    }

    async fn disconnect(&self, connection_id: i64) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage
            .find_connection(workspace, connection_id)
            .await?;
        let users = self
            .storage
            .syncs_using_connection(workspace, connection_id)
            .await?;
        if !users.is_empty() {
            return Err(ApiError::Conflict(format!(
                "This connection is used by {} sync{}: {}. Delete those syncs or move them to another connection first.",
                users.len(),
                if users.len() == 1 { "" } else { "s" },
                users.join(", ")
            )));
        }
        self.storage
            .delete_connection(workspace, connection_id)
            .await?;
        tracing::info!(connection_id, "connection removed");
        Ok(())
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
