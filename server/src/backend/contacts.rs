//! Contacts and custom properties, for server functions. Members read contacts; defining properties and
//! seeing what the syncs did with a contact is for super users.

use super::RequestBackend;
use crate::salesforce::OrgDomain;
use crate::storage::{now_unix, StorageError};
use app::api::contacts::{ContactDetail, ContactSyncState, ContactSyncStates, ContactsBackend};
use app::error::ApiError;
use shared::contact::custom::{CustomProperty, PropertyName};
use shared::contact::query::{ContactPage, ContactQuery};

#[async_trait::async_trait]
impl ContactsBackend for RequestBackend {
    async fn list_contacts(&self, query: ContactQuery) -> Result<ContactPage, ApiError> {
        let workspace = self.member_workspace().await?;
        Ok(self.storage.page_contacts(workspace, &query).await?)
    }

    async fn get_contact(&self, contact_id: i64) -> Result<ContactDetail, ApiError> {
        let workspace = self.member_workspace().await?;
        let mut contact = self.storage.get_contact(workspace, contact_id).await?;
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

    /// Each record links into its sync's org.
    async fn contact_syncs(&self, contact_id: i64) -> Result<ContactSyncStates, ApiError> {
        let workspace = self.super_user().await?;
        let states = self
            .storage
            .contact_sync_states(workspace, contact_id)
            .await?;
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

    async fn list_contact_properties(&self) -> Result<Vec<CustomProperty>, ApiError> {
        let workspace = self.member_workspace().await?;
        Ok(self.storage.list_contact_properties(workspace).await?)
    }

    async fn add_contact_property(
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

    async fn delete_contact_property(&self, name: PropertyName) -> Result<(), ApiError> {
        let workspace = self.super_user().await?;
        self.storage
            .delete_contact_property(workspace, &name)
            .await?;
        tracing::info!(%name, "contact property deleted");
        Ok(())
    }
}
