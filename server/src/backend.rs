//! The server side of the server functions: `app::api::backend::Backend`, bound to one request's session.
//!
//! Every method that touches CRM or people data starts by proving who the caller is ([`RequestBackend::super_user`]);
//! every storage call is scoped to the caller's workspace. This is the only place internal errors become
//! [`ApiError`]: the real error is logged under a short reference, the user sees only the reference.

use crate::auth::{password, throttle, SESSION_USER_ID};
use crate::crypto::SecretBox;
use crate::salesforce::ClientSettings;
use crate::state::AppState;
use crate::storage::people::UserRecord;
use crate::storage::{now_unix, Storage, StorageError, WorkspaceId};
use app::api::api_tokens::{ApiTokenView, CreatedApiToken};
use app::api::backend::Backend;
use app::api::contacts::{ContactDetail, ContactSyncStates};
use app::api::crm::{ConnectionForm, ConnectionSummary, ConnectionTest};
use app::api::runs::{ErrorGroup, LogPage};
use app::api::syncs::{
    MatchCount, RunSummary, SaveOutcome, SyncDetail, SyncNowOutcome, SyncSummary,
};
use app::error::ApiError;
use secrecy::SecretString;
use shared::contact::custom::{CustomProperty, PropertyName};
use shared::contact::import::{ImportPreview, ImportStatus};
use shared::contact::query::{ContactPage, ContactQuery};
use shared::sync::config::SyncConfig;
use shared::sync::crm::{CrmField, CrmObject};
use shared::sync::filter::Filter;
use shared::sync::log::LogFilter;
use shared::sync::status::{SyncName, SyncStatus};
use shared::{EmailAddress, Me, NewUser, Role, UserView};
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower_sessions::Session;

mod connections;
mod contacts;
mod imports;
mod runs;
mod syncs;

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

#[async_trait::async_trait]
impl Backend for RequestBackend {
    async fn me(&self) -> Result<Option<Me>, ApiError> {
        self.caller().await
    }

    #[tracing::instrument(skip_all)]
    async fn sign_in(&self, email: String, password: String) -> Result<Me, ApiError> {
        // An unparseable email is just another wrong credential: one message for every failure.
        let email = EmailAddress::parse(&email).map_err(|_| ApiError::WrongCredentials)?;
        let now = now_unix();
        let locked_until = self.storage.sign_in_locked_until(&email).await?;
        if locked_until > now {
            return Err(ApiError::TooManyAttempts {
                retry_after_secs: u64::try_from(locked_until - now).unwrap_or(1),
            });
        }
        let credentials = self.storage.find_credentials(&email).await?;
        let (user_id, hash) = match credentials {
            Some(c) => (Some(c.user_id), Some(c.password_hash)),
            None => (None, None),
        };
        let matches = password::verify(SecretString::from(password), hash)
            .await
            .map_err(internal)?;
        let Some(user_id) = user_id.filter(|_| matches) else {
            let failures = self.storage.record_sign_in_failure(&email).await?;
            let lock = throttle::lock_seconds(failures);
            if lock > 0 {
                self.storage.lock_sign_in(&email, now + lock).await?;
            }
            tracing::info!(failures, lock_seconds = lock, "sign-in failed");
            return Err(ApiError::WrongCredentials);
        };
        self.storage.clear_sign_in_failures(&email).await?;
        // A new session id at sign-in, so an id planted before sign-in is worthless after it.
        self.session.cycle_id().await.map_err(internal)?;
        self.session
            .insert(SESSION_USER_ID, user_id)
            .await
            .map_err(internal)?;
        tracing::info!(user_id, "signed in");
        let me = self
            .storage
            .find_member(user_id)
            .await?
            .ok_or(ApiError::WrongCredentials)?;
        let _ = self.caller.set(Some(me.clone()));
        Ok(me)
    }

    async fn sign_out(&self) -> Result<(), ApiError> {
        self.session.flush().await.map_err(internal)
    }

    async fn require_super_user(&self) -> Result<(), ApiError> {
        self.super_user().await.map(|_| ())
    }

    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_users(workspace).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn add_user(&self, user: NewUser) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let hash = password::hash(SecretString::from(user.password))
            .await
            .map_err(internal)?;
        let record = UserRecord {
            email: &user.email,
            name: &user.name,
            role: user.role,
            password_hash: &hash,
        };
        let created = self
            .storage
            .create_user(workspace, &record)
            .await
            .map_err(|e| match e {
                StorageError::Duplicate(_) => ApiError::Invalid {
                    field: "email".into(),
                    reason: "Email: someone with this email already has an account".into(),
                },
                other => other.into(),
            })?;
        tracing::info!(
            user_id = created.id,
            role = created.role.as_str(),
            "user added"
        );
        Ok(created)
    }

    async fn change_role(&self, user_id: i64, role: Role) -> Result<UserView, ApiError> {
        let workspace = self.super_user().await?;
        let changed = self.storage.set_role(workspace, user_id, role).await?;
        tracing::info!(user_id, role = role.as_str(), "role changed");
        Ok(changed)
    }

    async fn list_connections(&self) -> Result<Vec<ConnectionSummary>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_connections(workspace).await?)
    }

    async fn test_connection(&self, form: ConnectionForm) -> Result<ConnectionTest, ApiError> {
        self.test_connection_impl(form).await
    }

    async fn save_connection(&self, form: ConnectionForm) -> Result<ConnectionSummary, ApiError> {
        self.save_connection_impl(form).await
    }

    async fn disconnect(&self, connection_id: i64) -> Result<(), ApiError> {
        self.disconnect_impl(connection_id).await
    }

    async fn list_contacts(&self, query: ContactQuery) -> Result<ContactPage, ApiError> {
        self.list_contacts_impl(query).await
    }

    async fn get_contact(&self, contact_id: i64) -> Result<ContactDetail, ApiError> {
        self.get_contact_impl(contact_id).await
    }

    async fn contact_syncs(&self, contact_id: i64) -> Result<ContactSyncStates, ApiError> {
        self.contact_syncs_impl(contact_id).await
    }

    async fn list_contact_properties(&self) -> Result<Vec<CustomProperty>, ApiError> {
        self.list_contact_properties_impl().await
    }

    async fn add_contact_property(
        &self,
        property: CustomProperty,
    ) -> Result<CustomProperty, ApiError> {
        self.add_contact_property_impl(property).await
    }

    async fn delete_contact_property(&self, name: PropertyName) -> Result<(), ApiError> {
        self.delete_contact_property_impl(name).await
    }

    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenView>, ApiError> {
        self.list_api_tokens_impl().await
    }

    async fn create_api_token(&self, name: String) -> Result<CreatedApiToken, ApiError> {
        self.create_api_token_impl(name).await
    }

    async fn revoke_api_token(&self, token_id: i64) -> Result<(), ApiError> {
        self.revoke_api_token_impl(token_id).await
    }

    async fn preview_import(&self, head: String) -> Result<ImportPreview, ApiError> {
        self.preview_import_impl(head).await
    }

    async fn start_import(
        &self,
        file_name: String,
        total_bytes: u64,
        mapping: String,
    ) -> Result<i64, ApiError> {
        self.start_import_impl(file_name, total_bytes, mapping)
            .await
    }

    async fn import_status(&self, import_id: i64) -> Result<ImportStatus, ApiError> {
        self.import_status_impl(import_id).await
    }

    async fn list_syncs(&self) -> Result<Vec<SyncSummary>, ApiError> {
        self.list_syncs_impl().await
    }

    async fn create_sync(
        &self,
        connection_id: i64,
        object: CrmObject,
        name: SyncName,
    ) -> Result<i64, ApiError> {
        self.create_sync_impl(connection_id, object, name).await
    }

    async fn get_sync(&self, sync_id: i64) -> Result<SyncDetail, ApiError> {
        self.get_sync_impl(sync_id).await
    }

    async fn crm_fields(
        &self,
        sync_id: i64,
        object: CrmObject,
        refresh: bool,
    ) -> Result<Vec<CrmField>, ApiError> {
        self.crm_fields_impl(sync_id, object, refresh).await
    }

    async fn count_matching(&self, filter: Filter) -> Result<MatchCount, ApiError> {
        self.count_matching_impl(filter).await
    }

    async fn save_sync_config(
        &self,
        sync_id: i64,
        base_version: i64,
        config: SyncConfig,
    ) -> Result<SaveOutcome, ApiError> {
        self.save_sync_config_impl(sync_id, base_version, config)
            .await
    }

    async fn rename_sync(&self, sync_id: i64, name: SyncName) -> Result<(), ApiError> {
        self.rename_sync_impl(sync_id, name).await
    }

    async fn set_sync_status(&self, sync_id: i64, status: SyncStatus) -> Result<(), ApiError> {
        self.set_sync_status_impl(sync_id, status).await
    }

    async fn duplicate_sync(&self, sync_id: i64) -> Result<i64, ApiError> {
        self.duplicate_sync_impl(sync_id).await
    }

    async fn delete_sync(&self, sync_id: i64) -> Result<(), ApiError> {
        self.delete_sync_impl(sync_id).await
    }

    async fn sync_now(&self, sync_id: i64, full_resync: bool) -> Result<SyncNowOutcome, ApiError> {
        self.sync_now_impl(sync_id, full_resync).await
    }

    async fn list_runs(&self, sync_id: i64, before: i64) -> Result<Vec<RunSummary>, ApiError> {
        self.list_runs_impl(sync_id, before).await
    }

    async fn get_run(&self, run_id: i64) -> Result<RunSummary, ApiError> {
        self.get_run_impl(run_id).await
    }

    async fn cancel_run(&self, run_id: i64) -> Result<bool, ApiError> {
        self.cancel_run_impl(run_id).await
    }

    async fn run_errors(&self, run_id: i64) -> Result<Vec<ErrorGroup>, ApiError> {
        self.run_errors_impl(run_id).await
    }

    async fn run_log(
        &self,
        run_id: i64,
        filter: LogFilter,
        after: i64,
    ) -> Result<LogPage, ApiError> {
        self.run_log_impl(run_id, filter, after).await
    }

    async fn retry_failed_rows(&self, run_id: i64) -> Result<SyncNowOutcome, ApiError> {
        self.retry_failed_rows_impl(run_id).await
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

/// Logs an internal failure with its cause chain under a short reference, and returns the error the user
/// sees: the reference only.
pub fn internal<E: std::error::Error>(error: E) -> ApiError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(reference, error = chain, "request failed");
    ApiError::Internal(reference)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
