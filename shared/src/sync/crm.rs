//! What the sync builder knows about the CRM side: the objects a sync can write and their fields, as the
//! server's describe reports them.

use serde::{Deserialize, Serialize};

/// The Salesforce object a sync writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum CrmObject {
    #[default]
    Contact,
    Lead,
}

impl CrmObject {
    pub const ALL: [CrmObject; 2] = [CrmObject::Contact, CrmObject::Lead];

    /// Salesforce's API name.
    pub fn api_name(self) -> &'static str {
        match self {
            CrmObject::Contact => "Contact",
            CrmObject::Lead => "Lead",
        }
    }

    /// The object with this exact API name.
    pub fn from_api_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.api_name() == name)
    }
}

/// One field of a CRM object for this org's run-as user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmField {
    pub name: String,
    pub label: String,
    /// Salesforce's type name: `string`, `email`, `picklist`, `boolean`, `reference`, …
    pub field_type: String,
    /// Maximum characters for text types; 0 where length does not apply.
    pub length: u32,
    pub createable: bool,
    pub updateable: bool,
    /// `createable && !nillable && !defaultedOnCreate`: a heuristic (doc §3) — validation rules and record
    /// types can require more, so a create can still fail with `REQUIRED_FIELD_MISSING`.
    pub required: bool,
    pub external_id: bool,
    pub id_lookup: bool,
    pub unique: bool,
    /// Active picklist values in Salesforce's order; empty for other types.
    pub picklist_values: Vec<String>,
    /// The value Salesforce uses when a create leaves this picklist out.
    pub default_picklist_value: Option<String>,
    /// Only `picklist_values` are accepted (`INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST` otherwise);
    /// unrestricted picklists take any text.
    pub restricted_picklist: bool,
}
