//! What server functions may ask of the server. The server implements this per request, bound to the
//! caller's session, and checks the caller's role inside every method: a server function cannot forget it.

use crate::error::ApiError;
use shared::{Me, NewUser, Role, UserView};

use super::api_tokens::{ApiTokenView, CreatedApiToken};
use super::contacts::{ContactDetail, ContactSyncStates};
use super::crm::{ConnectionForm, ConnectionSummary, ConnectionTest};
use super::runs::{ErrorGroup, LogPage};
use super::syncs::{MatchCount, RunSummary, SaveOutcome, SyncDetail, SyncNowOutcome, SyncSummary};
use shared::contact::custom::{CustomProperty, PropertyName};
use shared::contact::import::{ImportPreview, ImportStatus};
use shared::contact::query::{ContactPage, ContactQuery};
use shared::sync::config::SyncConfig;
use shared::sync::crm::{CrmField, CrmObject};
use shared::sync::filter::Filter;
use shared::sync::log::LogFilter;
use shared::sync::status::{SyncName, SyncStatus};

#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// The signed-in person, or `None` when signed out.
    async fn me(&self) -> Result<Option<Me>, ApiError>;
    /// Checks the password and starts a session. One generic error for any wrong email or password.
    async fn sign_in(&self, email: String, password: String) -> Result<Me, ApiError>;
    async fn sign_out(&self) -> Result<(), ApiError>;

    /// Refuses anyone but a super user; for server functions that parse input before calling a method
    /// below, so a member is told "forbidden" rather than what was wrong with their input.
    async fn require_super_user(&self) -> Result<(), ApiError>;

    /// Super users only.
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError>;
    /// Super users only.
    async fn add_user(&self, user: NewUser) -> Result<UserView, ApiError>;
    /// Super users only. The last super user of a workspace cannot be demoted.
    async fn change_role(&self, user_id: i64, role: Role) -> Result<UserView, ApiError>;

    /// Super users only: the workspace's CRM connections.
    async fn list_connections(&self) -> Result<Vec<ConnectionSummary>, ApiError>;
    /// Super users only: gets a token and reads the run-as identity; records the result on a saved one.
    async fn test_connection(&self, form: ConnectionForm) -> Result<ConnectionTest, ApiError>;
    /// Super users only: tests, then creates or updates the connection if the test succeeded.
    async fn save_connection(&self, form: ConnectionForm) -> Result<ConnectionSummary, ApiError>;
    /// Super users only.
    async fn disconnect(&self, connection_id: i64) -> Result<(), ApiError>;

    /// Any member: one page of the workspace's contacts, with the matching count.
    async fn list_contacts(&self, query: ContactQuery) -> Result<ContactPage, ApiError>;
    /// Any member: one contact of the workspace.
    async fn get_contact(&self, contact_id: i64) -> Result<ContactDetail, ApiError>;
    /// Super users only: what each of the workspace's syncs last did with one of its contacts.
    async fn contact_syncs(&self, contact_id: i64) -> Result<ContactSyncStates, ApiError>;
    /// Any member: the workspace's custom contact properties.
    async fn list_contact_properties(&self) -> Result<Vec<CustomProperty>, ApiError>;
    /// Super users only.
    async fn add_contact_property(
        &self,
        property: CustomProperty,
    ) -> Result<CustomProperty, ApiError>;
    /// Super users only.
    async fn delete_contact_property(&self, name: PropertyName) -> Result<(), ApiError>;

    /// Super users only: the workspace's API tokens (never the secrets).
    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenView>, ApiError>;
    /// Super users only: a new token, returned this once.
    async fn create_api_token(&self, name: String) -> Result<CreatedApiToken, ApiError>;
    /// Super users only.
    async fn revoke_api_token(&self, token_id: i64) -> Result<(), ApiError>;

    /// Super users only: the header, suggested mapping and first rows of a file's first bytes.
    async fn preview_import(&self, head: String) -> Result<ImportPreview, ApiError>;
    /// Super users only: records an import waiting for its file; `mapping` in `ImportMapping`'s wire form.
    async fn start_import(
        &self,
        file_name: String,
        total_bytes: u64,
        mapping: String,
    ) -> Result<i64, ApiError>;
    /// Super users only: an import of the workspace, with its first row errors.
    async fn import_status(&self, import_id: i64) -> Result<ImportStatus, ApiError>;

    /// Super users only: the workspace's syncs with their last runs, oldest first.
    async fn list_syncs(&self) -> Result<Vec<SyncSummary>, ApiError>;
    /// Super users only: a stopped sync on one of the workspace's connections.
    async fn create_sync(
        &self,
        connection_id: i64,
        object: CrmObject,
        name: SyncName,
    ) -> Result<i64, ApiError>;
    /// Super users only.
    async fn get_sync(&self, sync_id: i64) -> Result<SyncDetail, ApiError>;
    /// Super users only: the sync's org's fields of `object`, writable ones only.
    async fn crm_fields(
        &self,
        sync_id: i64,
        object: CrmObject,
        refresh: bool,
    ) -> Result<Vec<CrmField>, ApiError>;
    /// Super users only.
    async fn count_matching(&self, filter: Filter) -> Result<MatchCount, ApiError>;
    /// Super users only: checks against the catalog and the live describe, then keeps a new version.
    async fn save_sync_config(
        &self,
        sync_id: i64,
        base_version: i64,
        config: SyncConfig,
    ) -> Result<SaveOutcome, ApiError>;
    /// Super users only.
    async fn rename_sync(&self, sync_id: i64, name: SyncName) -> Result<(), ApiError>;
    /// Super users only: a sync starts only once it has a saved configuration.
    async fn set_sync_status(&self, sync_id: i64, status: SyncStatus) -> Result<(), ApiError>;
    /// Super users only.
    async fn duplicate_sync(&self, sync_id: i64) -> Result<i64, ApiError>;
    /// Super users only: refused while a run is going.
    async fn delete_sync(&self, sync_id: i64) -> Result<(), ApiError>;
    /// Super users only: queues a run, or names the one already going.
    async fn sync_now(&self, sync_id: i64, full_resync: bool) -> Result<SyncNowOutcome, ApiError>;
    /// Super users only: newest first, a page before run id `before` (0: the newest page).
    async fn list_runs(&self, sync_id: i64, before: i64) -> Result<Vec<RunSummary>, ApiError>;
    /// Super users only.
    async fn get_run(&self, run_id: i64) -> Result<RunSummary, ApiError>;
    /// Super users only: a queued run is cancelled at once, a running one at its next batch boundary.
    /// `false` when the run had already finished.
    async fn cancel_run(&self, run_id: i64) -> Result<bool, ApiError>;
    /// Super users only: the run's failures by error code, most frequent first.
    async fn run_errors(&self, run_id: i64) -> Result<Vec<ErrorGroup>, ApiError>;
    /// Super users only: a page of the run's log; `filter` is already checked.
    async fn run_log(
        &self,
        run_id: i64,
        filter: LogFilter,
        after: i64,
    ) -> Result<LogPage, ApiError>;
    /// Super users only: a run over the failed contacts of a finished run of a running sync.
    async fn retry_failed_rows(&self, run_id: i64) -> Result<SyncNowOutcome, ApiError>;
}
