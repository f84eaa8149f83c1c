//! The server side of the server functions: each resource's backend trait (`app::api::syncs::SyncsBackend`,
//! …) implemented for [`RequestBackend`], one request's context bound to the caller's session, in a file of
//! its own below, beside the logic it runs.
//!
//! Every method that touches CRM or people data starts by proving who the caller is
//! ([`RequestBackend::super_user`], or `member_workspace` for what any member may read): the workspace
//! every storage call is scoped to comes out of that check. This is the only place internal errors become
//! [`ApiError`]: the real error is logged under a short reference, the user sees only the reference.

use crate::auth::gate::HashGate;
use crate::auth::{SESSION_EPOCH, SESSION_USER_ID};
use crate::crypto::SecretBox;
use crate::salesforce::ClientSettings;
use crate::state::AppState;
use crate::storage::syncs::config::Author;
use crate::storage::{Storage, StorageError, WorkspaceId};
use app::error::ApiError;
use shared::Me;
use std::sync::Arc;
use tower_sessions::Session;

/// Connected Apps: test, save and remove Salesforce connections.
mod connections;
/// Contacts and custom properties.
mod contacts;
/// CSV import: preview, start, status.
mod imports;
/// People: list, add, change role, disable, delete, reset a password, sign out everywhere.
mod people;
/// A sync's runs: Sync now, list, cancel, review, retry failed rows.
mod runs;
/// Signing in and out, and changing one's own password.
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
    hash_gate: Arc<HashGate>,
    session: Session,
    /// The address the request came from (after trusted proxies), for sign-in throttling.
    client: Option<std::net::IpAddr>,
    /// The caller once read (`Some`), so a request reads it at most once until a sign-in changes it.
    caller: std::sync::Mutex<Option<Option<Me>>>,
}

impl RequestBackend {
    pub fn new(state: &AppState, session: Session) -> Self {
        Self {
            storage: state.storage.clone(),
            secrets: state.secrets.clone(),
            salesforce: state.salesforce.clone(),
            orgs: state.orgs.clone(),
            engine_wake: state.engine_wake.clone(),
            hash_gate: state.hash_gate.clone(),
            session,
            client: None,
            caller: std::sync::Mutex::new(None),
        }
    }

    /// The same, knowing where the request came from.
    pub fn with_client(mut self, client: Option<std::net::IpAddr>) -> Self {
        self.client = client;
        self
    }

    /// The signed-in person, read once per request. A session whose user was deleted or disabled, or
    /// that an epoch change ended (signed out everywhere, a new password), is no session: `None`.
    ///
    /// # Errors
    /// Session or database faults.
    pub async fn caller(&self) -> Result<Option<Me>, ApiError> {
        if let Some(known) = self.known_caller().clone() {
            return Ok(known);
        }
        let found = match self.session_grant().await? {
            None => None,
            Some(grant) => {
                self.storage
                    .find_signed_in(grant.user_id, grant.epoch)
                    .await?
            }
        };
        *self.known_caller() = Some(found.clone());
        Ok(found)
    }

    fn known_caller(&self) -> std::sync::MutexGuard<'_, Option<Option<Me>>> {
        // Nothing panics while holding the lock, and the value is a plain cache anyway.
        self.caller
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// After the session changed hands (sign-in, a new password): the next `caller` reads it afresh.
    fn forget_caller(&self) {
        *self.known_caller() = None;
    }

    /// Whom the session says it belongs to, unchecked.
    async fn session_grant(&self) -> Result<Option<Grant>, ApiError> {
        let user_id: Option<i64> = self.session.get(SESSION_USER_ID).await.map_err(internal)?;
        let epoch: Option<i64> = self.session.get(SESSION_EPOCH).await.map_err(internal)?;
        Ok(user_id.map(|user_id| Grant {
            user_id,
            epoch: epoch.unwrap_or(0),
        }))
    }

    /// The caller, if signed in and free to act: someone whose password a super user set must choose
    /// their own first.
    async fn signed_in(&self) -> Result<Me, ApiError> {
        let me = self.caller().await?.ok_or(ApiError::Unauthenticated)?;
        if me.user.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(me)
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
    pub(crate) async fn super_user_me(&self) -> Result<Me, ApiError> {
        let me = self.signed_in().await?;
        if me.user.role.is_super_user() {
            Ok(me)
        } else {
            tracing::info!(user_id = me.user.id, "refused: super users only");
            Err(ApiError::super_users_only())
        }
    }
}

/// A session's claim: this user, in this session epoch. Long streams keep it and check it again
/// ([`Grant::still_valid`]), so a user disabled mid-download loses the download too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub user_id: i64,
    pub epoch: i64,
}

impl Grant {
    /// Whether the session would still be let in as a super user of `workspace`.
    ///
    /// # Errors
    /// Database faults.
    pub async fn still_valid(
        &self,
        storage: &Storage,
        workspace: WorkspaceId,
    ) -> Result<bool, StorageError> {
        let me = storage.find_signed_in(self.user_id, self.epoch).await?;
        Ok(me.is_some_and(|me| {
            me.user.role.is_super_user()
                && !me.user.must_change_password
                && me.workspace.id == workspace.0
        }))
    }
}

impl RequestBackend {
    /// A super user's workspace and the grant their session holds, for a stream that checks it again.
    ///
    /// # Errors
    /// As [`Self::super_user`].
    pub(crate) async fn super_user_grant(&self) -> Result<(WorkspaceId, Grant), ApiError> {
        let me = self.super_user_me().await?;
        let grant = self
            .session_grant()
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok((workspace_of(&me), grant))
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
                "A workspace needs at least one super user who can sign in: make someone else a \
                 super user first."
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
