//! The server side of the server functions: each resource's backend trait (`app::api::syncs::SyncsBackend`,
//! …) implemented for [`RequestBackend`], one request's context bound to the caller's session, in a file of
//! its own below, beside the logic it runs.
//!
//! Every method that touches CRM or people data starts by proving who the caller is
//! ([`RequestBackend::super_user`], or `member_workspace` for what any member may read): the workspace
//! every storage call is scoped to comes out of that check. This is the only place internal errors become
//! [`ApiError`]: the real error is logged under a short reference, the user sees only the reference.

use crate::auth::SESSION_USER_ID;
use crate::crypto::SecretBox;
use crate::salesforce::ClientSettings;
use crate::state::AppState;
use crate::storage::syncs::config::Author;
use crate::storage::{Storage, StorageError, WorkspaceId};
use app::error::ApiError;
use shared::Me;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower_sessions::Session;

/// Connected Apps: test, save and remove Salesforce connections.
mod connections;
/// Contacts and custom properties.
mod contacts;
/// CSV import: preview, start, status.
mod imports;
/// People: list, add, change role.
mod people;
/// A sync's runs: Sync now, list, cancel, review, retry failed rows.
mod runs;
/// Signing in and out.
mod session;
/// The sync builder.
mod syncs;
/// Workspace API tokens.
mod tokens;

/// One request's context: what the backends need from the app's state, the caller's session, and the
/// caller, read at most once. Each resource's trait is implemented for it in its own file.
pub struct RequestBackend {
    storage: Storage,
    secrets: Arc<SecretBox>,
    salesforce: Arc<ClientSettings>,
    orgs: Arc<crate::org_cache::OrgCache>,
    engine_wake: Arc<tokio::sync::Notify>,
    session: Session,
    caller: OnceCell<Option<Me>>,
}

impl RequestBackend {
    pub fn new(state: &AppState, session: Session) -> Self {
        Self {
            storage: state.storage.clone(),
            secrets: state.secrets.clone(),
            salesforce: state.salesforce.clone(),
            orgs: state.orgs.clone(),
            engine_wake: state.engine_wake.clone(),
            session,
            caller: OnceCell::new(),
        }
    }

    /// The signed-in person, read once per request.
    ///
    /// # Errors
    /// Session or database faults.
    pub async fn caller(&self) -> Result<Option<Me>, ApiError> {
        self.caller
            .get_or_try_init(|| async {
                let user_id: Option<i64> =
                    self.session.get(SESSION_USER_ID).await.map_err(internal)?;
                match user_id {
                    None => Ok(None),
                    // A deleted user's session simply stops working.
                    Some(id) => self.storage.find_member(id).await.map_err(ApiError::from),
                }
            })
            .await
            .cloned()
    }

    async fn signed_in(&self) -> Result<Me, ApiError> {
        self.caller().await?.ok_or(ApiError::Unauthenticated)
    }

    /// The caller's workspace, if they are a super user of it; otherwise 401 / 403.
    async fn super_user(&self) -> Result<WorkspaceId, ApiError> {
        self.super_user_me()
            .await
            .map(|me| WorkspaceId(me.workspace.id))
    }

    /// The caller's workspace, for anyone signed in to it.
    async fn member_workspace(&self) -> Result<WorkspaceId, ApiError> {
        let me = self.signed_in().await?;
        Ok(WorkspaceId(me.workspace.id))
    }

    /// As [`Self::super_user`], for methods that also record who acted.
    async fn super_user_me(&self) -> Result<Me, ApiError> {
        let me = self.signed_in().await?;
        if me.user.role.is_super_user() {
            Ok(me)
        } else {
            tracing::info!(user_id = me.user.id, "refused: super users only");
            Err(ApiError::super_users_only())
        }
    }
}

fn workspace_of(me: &Me) -> WorkspaceId {
    WorkspaceId(me.workspace.id)
}

/// Who saved a configuration or started a run, as storage records it.
fn author(me: &Me) -> Author<'_> {
    Author {
        user_id: me.user.id,
        name: &me.user.name,
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Duplicate(what) => {
                ApiError::Conflict(format!("That {what} already exists."))
            }
            StorageError::NotFound(what) => ApiError::NotFound(capitalise(what)),
            StorageError::LastSuperUser => ApiError::Conflict(
                "A workspace needs at least one super user: make someone else a super user first."
                    .into(),
            ),
            other => internal(other),
        }
    }
}

/// Reports an internal failure ([`crate::telemetry::report_internal`]) and returns the error the user
/// sees: the reference only.
pub fn internal<E: std::error::Error>(error: E) -> ApiError {
    ApiError::Internal(crate::telemetry::report_internal(&error))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
