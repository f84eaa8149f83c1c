//! What an sObject looks like, read from the recorded describe JSON, so the
//! rules (required, lengths, writability, picklists) come from Salesforce's own
//! metadata rather than from our reading of it (doc §3).

mod custom;
mod describe;

pub use custom::{CustomField, CustomFieldType};
pub use describe::{global_describe, load_standard_objects};

use serde_json::Value;
use std::collections::HashMap;

/// The subset of describe field types the simulator treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    Boolean,
    /// string, textarea, phone, url, combobox, encryptedstring
    Text,
    Email,
    Picklist,
    MultiPicklist,
    Reference,
    Date,
    DateTime,
    /// double, currency, percent
    Double,
    Int,
    /// address, location and other compound or unsupported types
    Compound,
}

impl FieldType {
    fn from_describe(t: &str) -> Self {
        match t {
            "id" => Self::Id,
            "boolean" => Self::Boolean,
            "email" => Self::Email,
            "picklist" => Self::Picklist,
            "multipicklist" => Self::MultiPicklist,
            "reference" => Self::Reference,
            "date" => Self::Date,
            "datetime" => Self::DateTime,
            "double" | "currency" | "percent" => Self::Double,
            "int" | "long" => Self::Int,
            "address" | "location" | "anyType" | "base64" | "complexvalue" => Self::Compound,
            _ => Self::Text,
        }
    }

    /// Strings (and string-like types) compare case-insensitively in SOQL.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            Self::Id
                | Self::Text
                | Self::Email
                | Self::Picklist
                | Self::MultiPicklist
                | Self::Reference
                | Self::Date
                | Self::DateTime
        )
    }
}

/// One field, with the describe flags the validation and SOQL code need.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    pub ftype: FieldType,
    pub length: usize,
    pub createable: bool,
    pub updateable: bool,
    pub nillable: bool,
    pub defaulted_on_create: bool,
    pub filterable: bool,
    pub sortable: bool,
    pub restricted_picklist: bool,
    pub picklist_values: Vec<String>,
    pub default_picklist_value: Option<String>,
    /// `externalId || idLookup`: usable as an upsert key (§3).
    pub upsert_key: bool,
    pub unique: bool,
}

impl FieldInfo {
    fn from_describe(v: &Value) -> Option<Self> {
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let picklist: Vec<&Value> = v
            .get("picklistValues")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|p| p.get("active").and_then(Value::as_bool).unwrap_or(true))
                    .collect()
            })
            .unwrap_or_default();
        let value_of = |p: &Value| p.get("value").and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            name: v.get("name")?.as_str()?.to_owned(),
            label: v
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            ftype: FieldType::from_describe(v.get("type")?.as_str()?),
            length: v.get("length").and_then(Value::as_u64).unwrap_or(0) as usize,
            createable: flag("createable"),
            updateable: flag("updateable"),
            nillable: flag("nillable"),
            defaulted_on_create: flag("defaultedOnCreate"),
            filterable: flag("filterable"),
            sortable: flag("sortable"),
            restricted_picklist: flag("restrictedPicklist"),
            picklist_values: picklist.iter().filter_map(|p| value_of(p)).collect(),
            default_picklist_value: picklist
                .iter()
                .find(|p| {
                    p.get("defaultValue")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                })
                .and_then(|p| value_of(p)),
            upsert_key: flag("externalId") || flag("idLookup"),
            unique: flag("unique"),
        })
    }

    /// Required on create: `createable && !nillable && !defaultedOnCreate` (§3).
    pub fn required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }
}

/// One sObject type: its describe document and the fields parsed out of it.
#[derive(Debug, Clone)]
pub struct Schema {
    pub name: String,
    pub key_prefix: String,
    pub fields: Vec<FieldInfo>,
    by_lower: HashMap<String, usize>,
    /// The describe body as recorded, plus any custom fields; `vxx.0` in its
    /// urls is replaced by the caller's version when served.
    pub describe: Value,
}

/// Fields whose values the simulator computes instead of storing.
pub const SYSTEM_FIELDS: &[&str] = &[
    "Id",
    "IsDeleted",
    "Name",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
];

impl Schema {
    pub fn from_describe(describe: Value) -> Option<Self> {
        let name = describe.get("name")?.as_str()?.to_owned();
        let key_prefix = describe.get("keyPrefix")?.as_str()?.to_owned();
        let fields: Vec<FieldInfo> = describe
            .get("fields")?
            .as_array()?
            .iter()
            .filter_map(FieldInfo::from_describe)
            .collect();
        let by_lower = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.to_ascii_lowercase(), i))
            .collect();
        Some(Self {
            name,
            key_prefix,
            fields,
            by_lower,
            describe,
        })
    }

    /// Field names are case-insensitive in every Salesforce API.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.by_lower.get(&name.to_ascii_lowercase()).copied()
    }

    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.field_index(name).map(|i| &self.fields[i])
    }

    /// Adds a custom field to both the parsed fields and the describe body.
    pub fn add_custom_field(&mut self, spec: &CustomField) -> Result<usize, String> {
        let api_name = spec.api_name();
        if self.field_index(&api_name).is_some() {
            return Err(format!("field {api_name} already exists on {}", self.name));
        }
        let json = custom::describe_json(spec, &self.describe);
        let info =
            FieldInfo::from_describe(&json).ok_or_else(|| "invalid custom field".to_owned())?;
        if let Some(list) = self
            .describe
            .get_mut("fields")
            .and_then(Value::as_array_mut)
        {
            list.push(json);
        }
        self.fields.push(info);
        let idx = self.fields.len() - 1;
        self.by_lower.insert(api_name.to_ascii_lowercase(), idx);
        Ok(idx)
    }

    /// The describe body for API version `version` (e.g. `"62.0"`).
    pub fn describe_for(&self, version: &str) -> Value {
        let text = with_version(&self.describe.to_string(), version);
        serde_json::from_str(&text).unwrap_or_else(|_| self.describe.clone())
    }
}

/// Rewrites every `/services/data/v…/` in recorded text (`vxx.0`, `v59.0`, …)
/// to the caller's version.
pub fn with_version(text: &str, version: &str) -> String {
    const MARK: &str = "/services/data/v";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let ver_len = after.find('/').filter(|&n| n <= 6).unwrap_or(0);
        out.push_str(&rest[..at + MARK.len()]);
        if ver_len > 0 {
            out.push_str(version);
            rest = &after[ver_len..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn recorded_versions_are_rewritten() {
        let text = r#"{"a":"/services/data/vxx.0/sobjects/Contact","b":"/services/data/v59.0/x","c":"/services/data/"}"#;
        assert_eq!(
            super::with_version(text, "62.0"),
            r#"{"a":"/services/data/v62.0/sobjects/Contact","b":"/services/data/v62.0/x","c":"/services/data/"}"#
        );
    }
}
