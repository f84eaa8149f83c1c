//! Test building blocks shared by the engine's tests: a Contact describe shaped like the recorded one
//! (doc §3) plus a few custom fields, Komo contacts and properties, mappings and lookup records.

use super::index::CrmRecord;
use serde_json::Value;
use shared::contact::custom::{CustomProperty, PropertyValue};
use shared::contact::fields::FieldCatalog;
use shared::contact::Contact;
use shared::sync::config::{FieldMapping, MappingSource, MatchPair, Overwrite, SyncConfig};
use shared::sync::crm::CrmField;
use shared::EmailAddress;
use std::collections::BTreeMap;

pub fn field(name: &str, field_type: &str, length: u32) -> CrmField {
    CrmField {
        name: name.into(),
        label: name.into(),
        field_type: field_type.into(),
        length,
        createable: true,
        updateable: true,
        required: false,
        external_id: false,
        id_lookup: false,
        unique: false,
        picklist_values: Vec::new(),
        default_picklist_value: None,
        restricted_picklist: false,
    }
}

pub fn picklist(name: &str, field_type: &str, values: &[&str], restricted: bool) -> CrmField {
    CrmField {
        picklist_values: values.iter().map(|v| (*v).to_owned()).collect(),
        restricted_picklist: restricted,
        ..field(name, field_type, 255)
    }
}

pub fn describe() -> Vec<CrmField> {
    let mut email = field("Email", "email", 80);
    email.id_lookup = true;
    let mut last_name = field("LastName", "string", 80);
    last_name.label = "Last Name".into();
    last_name.required = true;
    let mut first_name = field("FirstName", "string", 40);
    first_name.label = "First Name".into();
    let mut komo_id = field("Komo_Id__c", "string", 64);
    komo_id.external_id = true;
    komo_id.unique = true;
    let mut name = field("Name", "string", 121);
    name.createable = false;
    name.updateable = false;
    vec![
        email,
        first_name,
        last_name,
        field("Phone", "phone", 40),
        field("Title", "string", 128),
        picklist(
            "LeadSource",
            "picklist",
            &["Web", "Phone Inquiry", "Partner Referral", "Other"],
            true,
        ),
        picklist("Interests__c", "multipicklist", &["Golf", "Sailing"], false),
        field("Birthdate", "date", 0),
        field("HasOptedOutOfEmail", "boolean", 0),
        field("Opt_In_At__c", "datetime", 0),
        field("Score__c", "double", 0),
        field("Employees__c", "int", 0),
        komo_id,
        name,
    ]
}

pub fn properties() -> Vec<CustomProperty> {
    let def = |name: &str, kind: &str, choices: &str| {
        CustomProperty::parse(name, name, kind, choices).expect("a valid property")
    };
    vec![
        def("score", "number", ""),
        def("komo_id", "text", ""),
        def("channel", "single_choice", "Web\nOther\nPrint"),
        def("vip", "boolean", ""),
    ]
}

pub fn catalog() -> FieldCatalog {
    FieldCatalog::new(&properties())
}

pub fn contact(id: i64, email: &str) -> Contact {
    Contact {
        id,
        email: EmailAddress::parse(email).expect("a valid email"),
        first_name: String::new(),
        last_name: "Lovelace".into(),
        phone: String::new(),
        mobile: String::new(),
        company: String::new(),
        job_title: String::new(),
        street: String::new(),
        city: String::new(),
        region: String::new(),
        postcode: String::new(),
        country: String::new(),
        date_of_birth: None,
        marketing_opt_in: false,
        marketing_opt_in_at: None,
        source_hub: String::new(),
        source_campaign: String::new(),
        tags: Vec::new(),
        custom: BTreeMap::<String, PropertyValue>::new(),
        created_at: 1_700_000_000,
        updated_at: 1_700_000_000,
    }
}

pub fn map(key: &str, crm_field: &str, overwrite: Overwrite) -> FieldMapping {
    FieldMapping {
        source: MappingSource::Field(key.into()),
        crm_field: crm_field.into(),
        overwrite,
    }
}

pub fn constant(value: &str, crm_field: &str) -> FieldMapping {
    FieldMapping {
        source: MappingSource::Constant(value.into()),
        crm_field: crm_field.into(),
        overwrite: Overwrite::Always,
    }
}

/// Matching Email ↔ email, inserting and updating, with these mappings.
pub fn config(mappings: Vec<FieldMapping>) -> SyncConfig {
    SyncConfig {
        mappings,
        ..SyncConfig::default()
    }
}

/// Matching the `komo_id` property onto the External ID `Komo_Id__c`.
pub fn config_on_komo_id(mappings: Vec<FieldMapping>) -> SyncConfig {
    SyncConfig {
        match_pair: MatchPair {
            komo_field: "komo_id".into(),
            crm_field: "Komo_Id__c".into(),
        },
        ..config(mappings)
    }
}

/// A lookup result with these current values (a JSON object).
pub fn record(id: &str, last_modified: &str, values: Value) -> CrmRecord {
    CrmRecord {
        id: id.into(),
        last_modified: last_modified.into(),
        values: match values {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        },
    }
}
