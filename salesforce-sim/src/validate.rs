//! Turns a caller's field values (JSON from REST, text from Bulk CSV) into
//! stored values, refusing what an org refuses. Checks that need other records
//! (required fields after defaults, duplicates) live in [`crate::org`].

use crate::error::RecordError;
use crate::schema::{FieldInfo, FieldType, Schema};
use crate::store::Val;
use serde_json::{Map, Value};

/// Field index → new value (`None` clears it).
pub type Changes = Vec<(usize, Option<Val>)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Insert,
    Update,
}

/// Resolves a field name for writing: it must exist and be writable.
pub fn writable_field(schema: &Schema, name: &str, kind: WriteKind) -> Result<usize, RecordError> {
    let Some(idx) = schema.field_index(name) else {
        return Err(RecordError::new(
            "INVALID_FIELD",
            format!("No such column '{name}' on sobject of type {}", schema.name),
            &[],
        ));
    };
    let f = &schema.fields[idx];
    let writable = match kind {
        WriteKind::Insert => f.createable,
        WriteKind::Update => f.updateable,
    };
    if !writable {
        // Wording [unverified] (doc §7); code and fields are what clients act on.
        return Err(RecordError::new(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                f.name
            ),
            &[&f.name],
        ));
    }
    Ok(idx)
}

/// Converts a JSON record body (minus `attributes` and `Id`) into changes.
pub fn changes_from_json(
    schema: &Schema,
    obj: &Map<String, Value>,
    kind: WriteKind,
) -> Result<Changes, RecordError> {
    let mut out = Vec::with_capacity(obj.len());
    for (name, value) in obj {
        if name == "attributes" || name.eq_ignore_ascii_case("id") {
            continue;
        }
        let idx = writable_field(schema, name, kind)?;
        out.push((idx, json_value(&schema.fields[idx], value)?));
    }
    Ok(out)
}

fn parser_error(f: &FieldInfo, shown: &str) -> RecordError {
    RecordError::new(
        "JSON_PARSER_ERROR",
        format!("Cannot deserialize instance of {} from VALUE_STRING value {shown} or request may be missing a required field", type_word(f.ftype)),
        &[],
    )
}

fn type_word(t: FieldType) -> &'static str {
    match t {
        FieldType::Boolean => "boolean",
        FieldType::Int => "int",
        FieldType::Double => "double",
        FieldType::Date => "date",
        FieldType::DateTime => "datetime",
        _ => "string",
    }
}

/// One JSON value for field `f`. Numbers may arrive as strings (recorded, §2.2).
pub fn json_value(f: &FieldInfo, v: &Value) -> Result<Option<Val>, RecordError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => text_value(f, s),
        Value::Bool(b) => match f.ftype {
            FieldType::Boolean => Ok(Some(Val::Bool(*b))),
            _ => text_value(f, &b.to_string()),
        },
        Value::Number(n) => text_value(f, &n.to_string()),
        Value::Array(_) | Value::Object(_) => Err(parser_error(f, &v.to_string())),
    }
}

/// One text value (a CSV cell, or a JSON string) for field `f`.
pub fn text_value(f: &FieldInfo, s: &str) -> Result<Option<Val>, RecordError> {
    match f.ftype {
        FieldType::Boolean => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Some(Val::Bool(true))),
            "false" | "0" => Ok(Some(Val::Bool(false))),
            "" => Ok(None),
            _ => Err(parser_error(f, s)),
        },
        FieldType::Int => {
            if s.is_empty() {
                return Ok(None);
            }
            s.trim()
                .parse::<i64>()
                .map(|i| Some(Val::Int(i)))
                .map_err(|_| parser_error(f, s))
        }
        FieldType::Double => {
            if s.is_empty() {
                return Ok(None);
            }
            match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(Val::Num(n))),
                _ => Err(parser_error(f, s)),
            }
        }
        FieldType::Date if !is_date(s) => Err(parser_error(f, s)),
        FieldType::DateTime
            if !(s.len() >= 19 && is_date(&s[..10]) && s.as_bytes()[10] == b'T') =>
        {
            Err(parser_error(f, s))
        }
        FieldType::Compound | FieldType::Id => Err(parser_error(f, s)),
        _ => checked_text(f, s).map(Some),
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn checked_text(f: &FieldInfo, s: &str) -> Result<Val, RecordError> {
    let mut value = s.to_owned();
    if f.ftype == FieldType::Email {
        // Orgs store e-mail lower-cased (recorded: `Chloe.Myers@…` reads back lower-case).
        value = value.trim().to_lowercase();
        if !is_valid_email(&value) {
            return Err(RecordError::new(
                "INVALID_EMAIL_ADDRESS",
                format!("{}: invalid email address: {s}", f.label),
                &[&f.name],
            ));
        }
    }
    if f.length > 0 && value.chars().count() > f.length {
        return Err(RecordError::new(
            "STRING_TOO_LONG",
            format!(
                "{}: data value too large: {s} (max length={})",
                f.label, f.length
            ),
            &[&f.name],
        ));
    }
    if f.ftype == FieldType::Picklist && f.restricted_picklist {
        match f
            .picklist_values
            .iter()
            .find(|p| p.eq_ignore_ascii_case(&value))
        {
            Some(canonical) => value = canonical.clone(),
            None => {
                return Err(RecordError::new(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!("{}: bad value for restricted picklist field: {s}", f.label),
                    &[&f.name],
                ))
            }
        }
    }
    if f.ftype == FieldType::Reference
        && !(matches!(value.len(), 15 | 18) && value.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        // Wording [unverified] (doc §7).
        return Err(RecordError::new(
            "MALFORMED_ID",
            format!("{}: id value of incorrect type: {s}", f.label),
            &[&f.name],
        ));
    }
    Ok(Val::Text(value.into_boxed_str()))
}

/// Roughly the address syntax Salesforce accepts: a dot-atom local part and a
/// dotted host name.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, host)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = host.split('.').collect();
    let host_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    local_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_syntax_accepts_ordinary_addresses_and_rejects_junk() {
        for ok in [
            "ann@example.com",
            "a.b+c@sub.example.co.uk",
            "o'neil@example.org",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "not an email",
            "a@b",
            "@example.com",
            "a..b@example.com",
            "a@-x.com",
            "a@example.c",
            "a b@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
