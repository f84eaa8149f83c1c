//! Describe (doc §3): what fields Contact and Lead have for *this* org's run-as user, boiled down to what a
//! field mapping needs. Describe lists only the fields the user can see, so mappings are built from the live
//! answer and never from a hard-coded list.

use super::client::SalesforceClient;
use super::error::SalesforceError;
use super::wire::{DescribeResponse, FieldDescribe};
use super::API_VERSION;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One object's fields, as a mapping screen and the push engine need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectDescribe {
    pub name: String,
    pub fields: Vec<FieldInfo>,
}

impl ObjectDescribe {
    /// The field with this API name, compared case-insensitively as Salesforce does.
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Fields a create must set: see [`FieldInfo::required`].
    pub fn required_fields(&self) -> impl Iterator<Item = &FieldInfo> {
        self.fields.iter().filter(|f| f.required)
    }

    /// Fields an upsert can match on: external ids and id lookups (`Email` is an id lookup).
    pub fn upsert_keys(&self) -> impl Iterator<Item = &FieldInfo> {
        self.fields.iter().filter(|f| f.external_id || f.id_lookup)
    }
}

/// One field of a CRM object. The type lives in `shared` because the sync builder in the browser shows and
/// validates against the same description.
pub use shared::sync::crm::CrmField as FieldInfo;

impl From<FieldDescribe> for FieldInfo {
    fn from(f: FieldDescribe) -> Self {
        let active = || f.picklist_values.iter().filter(|p| p.active);
        Self {
            required: f.createable && !f.nillable && !f.defaulted_on_create,
            picklist_values: active().map(|p| p.value.clone()).collect(),
            default_picklist_value: active().find(|p| p.default_value).map(|p| p.value.clone()),
            name: f.name,
            label: f.label,
            field_type: f.field_type,
            length: f.length,
            createable: f.createable,
            updateable: f.updateable,
            external_id: f.external_id,
            id_lookup: f.id_lookup,
            unique: f.unique,
            restricted_picklist: f.restricted_picklist,
        }
    }
}

impl From<DescribeResponse> for ObjectDescribe {
    fn from(d: DescribeResponse) -> Self {
        Self {
            name: d.name,
            fields: d.fields.into_iter().map(FieldInfo::from).collect(),
        }
    }
}

impl SalesforceClient {
    /// Describes one object (`Contact`, `Lead`, or any the run-as user can see).
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm>
    ///
    /// # Errors
    /// `Api` with `NOT_FOUND` when the object does not exist or the user cannot see it; the errors of
    /// [`SalesforceClient::send`] otherwise.
    #[tracing::instrument(skip_all, fields(object))]
    pub async fn describe(&self, object: &str) -> Result<ObjectDescribe, SalesforceError> {
        if !is_api_name(object) {
            return Err(SalesforceError::Api {
                status: 404,
                code: "NOT_FOUND".into(),
                message: format!("\"{object}\" is not an object name"),
            });
        }
        let path = format!("/services/data/{API_VERSION}/sobjects/{object}/describe");
        let raw: DescribeResponse = self.get_json(&path).await?;
        Ok(raw.into())
    }
}

/// Object names go into the URL path, so allow only what Salesforce API names contain.
pub(super) fn is_api_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Describes kept per object until someone refreshes them: describe is a metered call and changes only
/// when an admin edits the org, so one answer serves every run until the user presses "refresh".
#[derive(Debug, Default)]
pub struct DescribeCache {
    // A plain mutex: it is never held across an await. Two tasks missing at once both ask Salesforce; that
    // costs one extra call and keeps the cache simple.
    entries: Mutex<HashMap<String, Arc<ObjectDescribe>>>,
}

impl DescribeCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached describe of `object`, asking Salesforce only the first time.
    ///
    /// # Errors
    /// As [`SalesforceClient::describe`]; failures are not cached.
    pub async fn get(
        &self,
        client: &SalesforceClient,
        object: &str,
    ) -> Result<Arc<ObjectDescribe>, SalesforceError> {
        if let Some(hit) = self.lookup(object) {
            return Ok(hit);
        }
        self.refresh(client, object).await
    }

    /// Asks Salesforce again and replaces the cached entry (the "refresh fields" action).
    ///
    /// # Errors
    /// As [`SalesforceClient::describe`]; on error the old entry stays.
    pub async fn refresh(
        &self,
        client: &SalesforceClient,
        object: &str,
    ) -> Result<Arc<ObjectDescribe>, SalesforceError> {
        let fresh = Arc::new(client.describe(object).await?);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(object.to_ascii_lowercase(), fresh.clone());
        }
        Ok(fresh)
    }

    /// Forgets every entry, e.g. when the connection's credentials change to another org.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn lookup(&self, object: &str) -> Option<Arc<ObjectDescribe>> {
        self.entries
            .lock()
            .ok()?
            .get(&object.to_ascii_lowercase())
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> ObjectDescribe {
        serde_json::from_str::<DescribeResponse>(json)
            .expect("recorded describe decodes")
            .into()
    }

    #[test]
    fn the_recorded_contact_describe_gives_last_name_required_and_email_as_lookup() {
        let contact = decode(include_str!(
            "../../tests/fixtures/salesforce/describe/contact_describe.json"
        ));
        assert_eq!(contact.name, "Contact");
        let last = contact.field("lastname").expect("LastName");
        assert!(last.required && last.createable && last.updateable);
        assert_eq!((last.field_type.as_str(), last.length), ("string", 80));
        let required: Vec<&str> = contact.required_fields().map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["LastName"]);
        let email = contact.field("Email").expect("Email");
        assert!(email.id_lookup && !email.required);
        assert_eq!(email.field_type, "email");
        let salutation = contact.field("Salutation").expect("Salutation");
        assert!(salutation.picklist_values.iter().any(|v| v == "Dr."));
        assert!(!salutation.restricted_picklist);
        // Read-only compound name: neither createable nor required.
        let name = contact.field("Name").expect("Name");
        assert!(!name.createable && !name.required);
        // Describe lists only what the run-as user can see (doc §3).
        assert!(contact.field("HasOptedOutOfEmail").is_none());
    }

    #[test]
    fn the_recorded_lead_describe_requires_company_but_not_the_defaulted_status() {
        let lead = decode(include_str!(
            "../../tests/fixtures/salesforce/describe/lead_describe.json"
        ));
        let mut required: Vec<&str> = lead.required_fields().map(|f| f.name.as_str()).collect();
        required.sort_unstable();
        assert_eq!(required, ["Company", "LastName"]);
        let status = lead.field("Status").expect("Status");
        assert!(!status.required);
        assert_eq!(
            status.default_picklist_value.as_deref(),
            Some("Open - Not Contacted")
        );
        let converted = lead.field("IsConverted").expect("IsConverted");
        assert!(converted.createable && !converted.updateable && !converted.required);
        assert!(lead.upsert_keys().any(|f| f.name == "Email"));
    }

    #[test]
    fn only_api_names_reach_the_url() {
        assert!(is_api_name("Contact"));
        assert!(is_api_name("Marketing_Thing__c"));
        assert!(!is_api_name(""));
        assert!(!is_api_name("Contact/../limits"));
        assert!(!is_api_name("Contact?x=1"));
    }
}
