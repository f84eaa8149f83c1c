//! Contacts, custom properties and API tokens, for server functions. Members read contacts; defining
//! properties and managing API tokens is for super users.

use super::RequestBackend;
use crate::http::api_v1::token;
use crate::salesforce::OrgDomain;
use crate::storage::{now_unix, StorageError, WorkspaceId};
use app::api::api_tokens::{ApiTokenView, CreatedApiToken};
use app::api::contacts::{ContactDetail, ContactSyncState, ContactSyncStates};
use app::error::ApiError;
use shared::contact::custom::{CustomProperty, PropertyName};
use shared::contact::query::{ContactPage, ContactQuery};

impl RequestBackend {
    /// The caller's workspace, for anyone signed in to it.
    async fn member_workspace(&self) -> Result<WorkspaceId, ApiError> {
        let me = self.signed_in().await?;
        Ok(WorkspaceId(me.workspace.id))
    }

    pub(super) async fn list_contacts_impl(
        &self,
        query: ContactQuery,
    ) -> Result<ContactPage, ApiError> {
        let workspace = self.member_workspace().await?;
        Ok(self.storage.page_contacts(workspace, &query).await?)
    }

    pub(super) async fn get_contact_impl(&self, id: i64) -> Result<ContactDetail, ApiError> {
        let workspace = self.member_workspace().await?;
        let mut contact = self.storage.get_contact(workspace, id).await?;
        let properties = self.storage.list_contact_properties(workspace).await?;
        // Values of deleted properties stay stored but are not shown.
        contact
            .custom
            .retain(|name, _| properties.iter().any(|p| p.name.as_str() == name));
        Ok(ContactDetail {
            contact,
            properties,
        })
    }

    /// Super users only, like the syncs themselves. Each record links into its sync's org.
    pub(super) async fn contact_syncs_impl(&self, id: i64) -> Result<ContactSyncStates, ApiError> {
        let workspace = self.super_user().await?;
        let states = self.storage.contact_sync_states(workspace, id).await?;
        let syncs = states
            .into_iter()
            .map(|state| {
                // The domain was checked when the connection was saved; if it no longer parses (the
                // operator dropped an extra origin since), the id is still shown, just not linked.
                let org = OrgDomain::parse(&state.domain, &self.salesforce.extra_allowed).ok();
                let crm_url = org
                    .zip(state.crm_id.as_deref())
                    .and_then(|(o, id)| o.record_url(id));
                ContactSyncState {
                    sync_id: state.sync_id,
                    sync_name: state.sync_name,
                    crm_id: state.crm_id,
                    crm_url,
                    last_pushed_at: state.last_pushed_at,
                    last_error: state.last_error,
                }
            })
            .collect();
        Ok(ContactSyncStates {
            syncs,
            as_of: now_unix(),
        })
    }

    pub(super) async fn list_contact_properties_impl(
        &self,
    ) -> Result<Vec<CustomProperty>, ApiError> {
        let workspace = self.member_workspace().await?;
        Ok(self.storage.list_contact_properties(workspace).await?)
    }

    pub(super) async fn add_contact_property_impl(
        &self,
        property: CustomProperty,
    ) -> Result<CustomProperty, ApiError> {
        let workspace = self.super_user().await?;
        self.storage
            .create_contact_property(workspace, &property)
            .await
            .map_err(|e| match e {
                StorageError::Duplicate(_) => ApiError::Invalid {
                    field: "name".into(),
                    reason: format!("Name: there is already a property called {}", property.name),
                },
                other => other.into(),
            })?;
        tracing::info!(name = %property.name, kind = property.kind.as_str(), "contact property added");
        Ok(property)
    }

    pub(super) async fn delete_contact_property_impl(
        &self,
        name: PropertyName,
    ) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage
            .delete_contact_property(workspace, &name)
            .await?;
        tracing::info!(%name, "contact property deleted");
        Ok(())
    }

    pub(super) async fn list_api_tokens_impl(&self) -> Result<Vec<ApiTokenView>, ApiError> {
        let workspace = self.super_user().await?;
        Ok(self.storage.list_api_tokens(workspace).await?)
    }

    pub(super) async fn create_api_token_impl(
        &self,
        name: String,
    ) -> Result<CreatedApiToken, ApiError> {
        let workspace = self.super_user().await?;
        let fresh = token::generate();
        let view = self
            .storage
            .create_api_token(workspace, &name, &fresh.hash, &fresh.prefix)
            .await?;
        tracing::info!(token_id = view.id, "API token created");
        Ok(CreatedApiToken {
            view,
            token: fresh.token,
        })
    }

    pub(super) async fn revoke_api_token_impl(&self, id: i64) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage.delete_api_token(workspace, id).await?;
        tracing::info!(token_id = id, "API token revoked");
        Ok(())
    }
}
