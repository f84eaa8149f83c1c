//! Custom fields added through the control API, described in the same shape
//! as the recorded standard fields so clients cannot tell them apart.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomFieldType {
    Text,
    Email,
    Checkbox,
    Number,
    Picklist,
}

/// A custom field to add, e.g. an External ID text field `Marketing_Id__c`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomField {
    /// API name; `__c` is appended when missing.
    pub name: String,
    #[serde(rename = "type", default = "default_type")]
    pub field_type: CustomFieldType,
    #[serde(default)]
    pub label: Option<String>,
    /// Text length; defaults to 255.
    #[serde(default)]
    pub length: Option<usize>,
    #[serde(default, rename = "externalId")]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
    /// Picklist values (for `picklist`).
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default, rename = "restrictedPicklist")]
    pub restricted_picklist: bool,
}

fn default_type() -> CustomFieldType {
    CustomFieldType::Text
}

impl CustomField {
    /// A text External ID field, the usual upsert key.
    pub fn external_id_text(name: &str, length: usize) -> Self {
        Self {
            name: name.to_owned(),
            field_type: CustomFieldType::Text,
            label: None,
            length: Some(length),
            external_id: true,
            unique: false,
            values: Vec::new(),
            restricted_picklist: false,
        }
    }

    pub fn api_name(&self) -> String {
        if self.name.ends_with("__c") {
            self.name.clone()
        } else {
            format!("{}__c", self.name)
        }
    }
}

/// Builds the describe entry by copying a recorded text field (so every key
/// Salesforce sends is present) and overriding what differs.
pub(super) fn describe_json(spec: &CustomField, object_describe: &Value) -> Value {
    let template = object_describe
        .get("fields")
        .and_then(Value::as_array)
        .and_then(|fields| {
            fields
                .iter()
                .find(|f| f.get("name").and_then(Value::as_str) == Some("Title"))
        })
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut f = template;
    let api_name = spec.api_name();
    let label = spec
        .label
        .clone()
        .unwrap_or_else(|| api_name.trim_end_matches("__c").replace('_', " "));
    let (sf_type, soap, length) = match spec.field_type {
        CustomFieldType::Text => ("string", "xsd:string", spec.length.unwrap_or(255)),
        CustomFieldType::Email => ("email", "xsd:string", 80),
        CustomFieldType::Checkbox => ("boolean", "xsd:boolean", 0),
        CustomFieldType::Number => ("double", "xsd:double", 0),
        CustomFieldType::Picklist => ("picklist", "xsd:string", 255),
    };
    let picklist: Vec<Value> = spec
        .values
        .iter()
        .map(|v| json!({"active": true, "defaultValue": false, "label": v, "validFor": null, "value": v}))
        .collect();
    let is_checkbox = spec.field_type == CustomFieldType::Checkbox;
    let set = |f: &mut Value, k: &str, v: Value| {
        if let Some(obj) = f.as_object_mut() {
            obj.insert(k.to_owned(), v);
        }
    };
    set(&mut f, "name", json!(api_name));
    set(&mut f, "label", json!(label));
    set(&mut f, "custom", json!(true));
    set(&mut f, "type", json!(sf_type));
    set(&mut f, "soapType", json!(soap));
    set(&mut f, "length", json!(length));
    set(&mut f, "byteLength", json!(length * 3));
    set(&mut f, "externalId", json!(spec.external_id));
    set(&mut f, "idLookup", json!(spec.external_id));
    set(&mut f, "unique", json!(spec.unique));
    set(&mut f, "caseSensitive", json!(false));
    set(&mut f, "createable", json!(true));
    set(&mut f, "updateable", json!(true));
    // Checkboxes are non-nillable but defaulted to false, like standard booleans.
    set(&mut f, "nillable", json!(!is_checkbox));
    set(&mut f, "defaultedOnCreate", json!(is_checkbox));
    set(
        &mut f,
        "defaultValue",
        if is_checkbox {
            json!(false)
        } else {
            Value::Null
        },
    );
    set(&mut f, "picklistValues", json!(picklist));
    set(
        &mut f,
        "restrictedPicklist",
        json!(spec.restricted_picklist),
    );
    set(
        &mut f,
        "precision",
        json!(if spec.field_type == CustomFieldType::Number {
            18
        } else {
            0
        }),
    );
    set(&mut f, "permissionable", json!(true));
    f
}
