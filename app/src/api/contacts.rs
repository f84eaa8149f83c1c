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
    respond(backend()?.list_contacts(query).await)
}

#[server(endpoint = "get_contact")]
pub async fn get_contact(contact_id: i64) -> Result<ContactDetail, ApiError> {
    use super::{backend, respond};
    respond(backend()?.get_contact(contact_id).await)
}

/// Super users only: per sync, the contact's Salesforce record, last push and last error.
#[server(endpoint = "contact_syncs")]
pub async fn contact_syncs(contact_id: i64) -> Result<ContactSyncStates, ApiError> {
    use super::{backend, respond};
    respond(backend()?.contact_syncs(contact_id).await)
}

/// Standard fields and custom properties with their types: for the import mapping and, later, filters.
#[server(endpoint = "field_catalog")]
pub async fn get_field_catalog() -> Result<FieldCatalog, ApiError> {
    use super::{backend, respond};
    let properties = respond(backend()?.list_contact_properties().await)?;
    Ok(FieldCatalog::new(&properties))
}

#[server(endpoint = "list_contact_properties")]
pub async fn list_contact_properties() -> Result<Vec<CustomProperty>, ApiError> {
    use super::{backend, respond};
    respond(backend()?.list_contact_properties().await)
}

/// `choices`: one per line, for single-choice properties.
#[server(endpoint = "add_contact_property")]
pub async fn add_contact_property(
    name: String,
    label: String,
    kind: String,
    choices: String,
) -> Result<CustomProperty, ApiError> {
    use super::{backend, respond};
    let backend = backend()?;
    respond(backend.require_super_user().await)?;
    let property =
        CustomProperty::parse(&name, &label, &kind, &choices).map_err(|e| ApiError::Invalid {
            field: e.field().to_owned(),
            reason: e.to_string(),
        });
    let property = respond(property)?;
    respond(backend.add_contact_property(property).await)
}

#[server(endpoint = "delete_contact_property")]
pub async fn delete_contact_property(name: String) -> Result<(), ApiError> {
    use super::{backend, respond};
    let backend = backend()?;
    respond(backend.require_super_user().await)?;
    let name = shared::contact::custom::PropertyName::parse(&name)
        .map_err(|_| ApiError::NotFound("Property".into()));
    respond(backend.delete_contact_property(respond(name)?).await)
}
