//! Komo contacts: pages of the table, one contact, and the workspace's custom properties. Any member may
//! read contacts; only super users define properties and see what the syncs did with a contact (syncs
//! are super users' business, like everything under CRM).

use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::contact::custom::CustomProperty;
use shared::contact::fields::FieldCatalog;
use shared::contact::query::ContactPage;
use shared::contact::Contact;

/// A contact with the workspace's property definitions, so the detail view can label each value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub contact: Contact,
    pub properties: Vec<CustomProperty>,
}

/// What one sync last did with a contact: a row of the detail page's "Syncs" table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSyncState {
    pub sync_id: i64,
    pub sync_name: String,
    /// The Salesforce record id, once a push created or matched one.
    pub crm_id: Option<String>,
    /// The record's page in the org (the connection's domain + `/{id}`); `None` without a record id.
    pub crm_url: Option<String>,
    /// Unix seconds of the last successful push; `None` when every push so far failed.
    pub last_pushed_at: Option<i64>,
    /// Why the last push failed; `None` when it succeeded.
    pub last_error: Option<String>,
}

/// Every sync that has pushed, or tried to push, one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSyncStates {
    /// Oldest sync first; empty when no sync has touched the contact.
    pub syncs: Vec<ContactSyncState>,
    /// The server's clock (Unix seconds) when it answered. "5 min ago" counts from this rather than from
    /// each side's own clock, so the server's HTML and the hydrated page say the same.
    pub as_of: i64,
}

/// The server side of the contacts pages. Any member reads contacts and the property definitions; what
/// the syncs did with a contact, and defining properties, are for super users.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ContactsBackend: Send + Sync {
    /// Any member: one page of the workspace's contacts, with the matching count.
    async fn list_contacts(
        &self,
        query: shared::contact::query::ContactQuery,
    ) -> Result<ContactPage, ApiError>;
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
    async fn delete_contact_property(
        &self,
        name: shared::contact::custom::PropertyName,
    ) -> Result<(), ApiError>;
}

/// `after` is the cursor from the previous page (`ContactPage::next`), empty for the first page.
#[server(endpoint = "list_contacts")]
pub async fn list_contacts(
    search: String,
    sort: String,
    after: String,
) -> Result<ContactPage, ApiError> {
    use super::{backend, respond};
    use shared::contact::query::ContactQuery;
    let query = ContactQuery::new(&search, &sort, &after, None);
    respond(async { backend()?.list_contacts(query).await }).await
}

#[server(endpoint = "get_contact")]
pub async fn get_contact(contact_id: i64) -> Result<ContactDetail, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.get_contact(contact_id).await }).await
}

/// Super users only: per sync, the contact's Salesforce record, last push and last error.
#[server(endpoint = "contact_syncs")]
pub async fn contact_syncs(contact_id: i64) -> Result<ContactSyncStates, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.contact_syncs(contact_id).await }).await
}

/// Standard fields and custom properties with their types: for the import mapping and, later, filters.
#[server(endpoint = "field_catalog")]
pub async fn get_field_catalog() -> Result<FieldCatalog, ApiError> {
    use super::{backend, respond};
    respond(async {
        let properties = backend()?.list_contact_properties().await?;
        Ok(FieldCatalog::new(&properties))
    })
    .await
}

#[server(endpoint = "list_contact_properties")]
pub async fn list_contact_properties() -> Result<Vec<CustomProperty>, ApiError> {
    use super::{backend, respond};
    respond(async { backend()?.list_contact_properties().await }).await
}

/// `choices`: one per line, for single-choice properties.
#[server(endpoint = "add_contact_property")]
pub async fn add_contact_property(
    name: String,
    label: String,
    kind: String,
    choices: String,
) -> Result<CustomProperty, ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let property = CustomProperty::parse(&name, &label, &kind, &choices).map_err(|e| {
            ApiError::Invalid {
                field: e.field().to_owned(),
                reason: e.to_string(),
            }
        })?;
        backend.add_contact_property(property).await
    })
    .await
}

#[server(endpoint = "delete_contact_property")]
pub async fn delete_contact_property(name: String) -> Result<(), ApiError> {
    use super::{respond, super_user_backend};
    respond(async {
        let backend = super_user_backend().await?;
        let name = shared::contact::custom::PropertyName::parse(&name)
            .map_err(|_| ApiError::NotFound("Property".into()))?;
        backend.delete_contact_property(name).await
    })
    .await
}
