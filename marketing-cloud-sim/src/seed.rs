//! A ready data extension of fake contacts for the demo and benchmarks: `Contacts` (key `Contacts`),
//! sendable on `ContactKey`, with deterministic rows.

use crate::fields::{FieldSpec, FieldType};
use serde_json::{json, Map, Value};

pub const CONTACTS_KEY: &str = "Contacts";

fn field(name: &str, field_type: FieldType, length: Option<u32>) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        field_type,
        length,
        scale: None,
        is_primary_key: false,
        is_nullable: true,
        default_value: None,
    }
}

/// The fields of the ready `Contacts` data extension.
pub fn contact_fields() -> Vec<FieldSpec> {
    let mut key = field("ContactKey", FieldType::Text, Some(254));
    key.is_primary_key = true;
    key.is_nullable = false;
    let mut email = field("Email", FieldType::EmailAddress, None);
    email.is_nullable = false;
    vec![
        key,
        email,
        field("FirstName", FieldType::Text, Some(50)),
        field("LastName", FieldType::Text, Some(80)),
        field("Phone", FieldType::Phone, None),
        field("City", FieldType::Text, Some(50)),
        field("OptIn", FieldType::Boolean, None),
        field("JoinedOn", FieldType::Date, None),
    ]
}

/// Fake contact `i`, keyed by its email.
pub fn contact_row(i: usize) -> Map<String, Value> {
    let email = format!("person{i}@seed.example");
    let city = ["London", "Leeds", "York", "Bath"][i % 4];
    let row = json!({
        "ContactKey": email,
        "Email": email,
        "FirstName": format!("First{}", i % 997),
        "LastName": format!("Last{i}"),
        "Phone": format!("+44 20 7946 {:04}", i % 10_000),
        "City": city,
        "OptIn": !i.is_multiple_of(3),
        "JoinedOn": format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
    });
    row.as_object().cloned().unwrap_or_default()
}
