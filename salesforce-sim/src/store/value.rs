//! Stored field values.

use crate::schema::{FieldInfo, FieldType};
use serde_json::Value;

/// A non-null field value. Dates and datetimes are kept as the ISO text
/// Salesforce returns; nulls are simply absent from the row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(Box<str>),
    Bool(bool),
    Int(i64),
    Num(f64),
}

impl Val {
    pub fn to_json(&self) -> Value {
        match self {
            Val::Text(s) => Value::String(s.to_string()),
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::from(*i),
            Val::Num(n) => serde_json::Number::from_f64(*n)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        }
    }

    /// CSV rendering used by Bulk API results.
    pub fn to_csv_text(&self) -> String {
        match self {
            Val::Text(s) => s.to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Num(n) => n.to_string(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Index key: text values compare case-insensitively everywhere we index.
    pub fn index_key(&self) -> Box<str> {
        match self {
            Val::Text(s) => s.to_lowercase().into_boxed_str(),
            other => other.to_csv_text().into_boxed_str(),
        }
    }
}

/// The default a field takes on create when the caller leaves it out.
pub fn create_default(field: &FieldInfo) -> Option<Val> {
    if !field.defaulted_on_create {
        return None;
    }
    match field.ftype {
        FieldType::Boolean => Some(Val::Bool(false)),
        FieldType::Picklist => field
            .default_picklist_value
            .as_deref()
            .map(|v| Val::Text(v.into())),
        _ => None,
    }
}
