//! JSON ⇄ contacts for `/api/v1`. Items are read from `serde_json::Value` one by one, so a wrong type in
//! one item is that item's error, not a rejected request.
//!
//! Contacts go out flat: standard fields by key, custom properties under `custom` as plain JSON values.

use serde_json::{json, Map, Value};
use shared::contact::custom::PropertyValue;
use shared::contact::{Contact, ContactError, ContactInput};

fn malformed(field: &str, reason: &str) -> ContactError {
    ContactError::Malformed {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A scalar as the text our parsers read; `null` means "clear", like a blank CSV cell.
fn scalar_text(field: &str, value: &Value) -> Result<String, ContactError> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Array(_) | Value::Object(_) => Err(malformed(
            field,
            "expected a string, number, boolean or null",
        )),
    }
}

/// Reads one item of a bulk request into raw input.
///
/// # Errors
/// Each key whose value has the wrong JSON shape.
pub fn contact_input(item: &Value) -> Result<ContactInput, Vec<ContactError>> {
    let Some(object) = item.as_object() else {
        return Err(vec![malformed("", "each contact must be a JSON object")]);
    };
    let mut input = ContactInput::default();
    let mut errors = Vec::new();
    for (key, value) in object {
        match (key.as_str(), value) {
            ("email", Value::String(s)) => input.email = s.clone(),
            ("email", _) => errors.push(malformed("email", "expected a string")),
            ("tags", Value::Array(items)) => {
                let tags: Option<Vec<String>> = items
                    .iter()
                    .map(|t| t.as_str().map(str::to_owned))
                    .collect();
                match tags {
                    Some(tags) => input.tags = Some(tags),
                    None => errors.push(malformed("tags", "expected an array of strings")),
                }
            }
            ("tags", Value::Null) => input.tags = Some(Vec::new()),
            ("custom", Value::Object(values)) => {
                for (name, value) in values {
                    match scalar_text(name, value) {
                        Ok(text) => {
                            input.custom.insert(name.clone(), text);
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
            ("custom", _) => {
                errors.push(malformed("custom", "expected an object of property values"))
            }
            (key, value) => match scalar_text(key, value) {
                Ok(text) => input.set(key, text),
                Err(e) => errors.push(e),
            },
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

fn property_json(value: &PropertyValue) -> Value {
    match value {
        PropertyValue::Text(s) | PropertyValue::Choice(s) => json!(s),
        PropertyValue::Number(n) => json!(n),
        PropertyValue::Date(d) => json!(d.to_string()),
        PropertyValue::Boolean(b) => json!(b),
    }
}

pub fn contact_json(c: &Contact) -> Value {
    let custom: Map<String, Value> = c
        .custom
        .iter()
        .map(|(k, v)| (k.clone(), property_json(v)))
        .collect();
    json!({
        "id": c.id,
        "email": c.email.as_str(),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "phone": c.phone,
        "mobile": c.mobile,
        "company": c.company,
        "job_title": c.job_title,
        "street": c.street,
        "city": c.city,
        "region": c.region,
        "postcode": c.postcode,
        "country": c.country,
        "date_of_birth": c.date_of_birth.map(|d| d.to_string()),
        "marketing_opt_in": c.marketing_opt_in,
        "marketing_opt_in_at": c.marketing_opt_in_at,
        "source_hub": c.source_hub,
        "source_campaign": c.source_campaign,
        "tags": c.tags,
        "custom": custom,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_read_scalars_tags_and_custom_values() {
        let input = contact_input(&json!({
            "email": "ada@example.com",
            "first_name": "Ada",
            "marketing_opt_in": true,
            "phone": null,
            "tags": ["vip"],
            "custom": { "shoe_size": 38 }
        }))
        .expect("valid shape");
        assert_eq!(input.email, "ada@example.com");
        assert_eq!(
            input.standard.get("marketing_opt_in").map(String::as_str),
            Some("true")
        );
        assert_eq!(input.standard.get("phone").map(String::as_str), Some(""));
        assert_eq!(
            input.custom.get("shoe_size").map(String::as_str),
            Some("38")
        );
    }

    #[test]
    fn wrong_shapes_are_named_by_field() {
        let errors = contact_input(&json!({ "email": 5, "city": ["x"], "tags": [1] }))
            .expect_err("wrong shapes");
        let mut fields: Vec<&str> = errors.iter().map(ContactError::field).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["city", "email", "tags"]);
        assert!(contact_input(&json!("ada@example.com")).is_err());
    }
}
