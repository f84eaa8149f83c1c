//! One Komo value into the JSON one Salesforce field takes (doc §2.2: dates `YYYY-MM-DD`, datetimes ISO 8601,
//! `null` clears), checked against the describe the way Salesforce would check it (doc §3). A value Salesforce
//! would refuse is refused here, so the contact is marked invalid without spending an API call.

use super::komo_value::KomoValue;
use serde_json::{Number, Value};
use shared::contact::custom::parse_bool;
use shared::contact::date::CalendarDate;
use shared::sync::crm::CrmField;
use shared::EmailAddress;

/// Salesforce types that hold free text; what `shared::sync::config::compatible` lets Komo text into.
const TEXT_TYPES: [&str; 6] = [
    "string",
    "textarea",
    "phone",
    "url",
    "combobox",
    "encryptedstring",
];

/// Allowed values listed in a message before it says "…": a picklist can have hundreds.
const LISTED_CHOICES: usize = 10;

/// Why Salesforce would refuse a value. `Display` is the tail of a sentence that starts with the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("{length} characters, but the field holds at most {limit}")]
    TooLong { length: usize, limit: u32 },
    #[error("\"{given}\" is not a valid email address")]
    NotAnEmail { given: String },
    #[error("\"{given}\" is not one of the allowed values ({})", list(allowed))]
    NotAllowed { given: String, allowed: Vec<String> },
    #[error("{given} is not a whole number")]
    NotWhole { given: f64 },
    #[error("{given} is out of range for the field")]
    OutOfRange { given: String },
    #[error("\"{given}\" is not {wanted}")]
    Unreadable { given: String, wanted: &'static str },
    #[error("a {crm_type} field cannot take {kind}")]
    WrongType {
        kind: &'static str,
        crm_type: String,
    },
}

fn list(allowed: &[String]) -> String {
    let mut shown = allowed
        .iter()
        .take(LISTED_CHOICES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if allowed.len() > LISTED_CHOICES {
        shown.push_str(", …");
    }
    shown
}

impl Refusal {
    /// The code Salesforce answers the same mistake with (doc §7), so the run log reads alike whether we or
    /// Salesforce refused. `None` where Salesforce's answer is not one documented code.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Refusal::TooLong { .. } => Some("STRING_TOO_LONG"),
            Refusal::NotAnEmail { .. } => Some("INVALID_EMAIL_ADDRESS"),
            Refusal::NotAllowed { .. } => Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
            _ => None,
        }
    }
}

/// The JSON to send for `value` in `field`; `Ok(None)` for a blank, which the mapping leaves out.
///
/// Komo text also fills boolean, number and date fields when it reads as one: that is how constants (always
/// text) reach them.
///
/// # Errors
/// Why Salesforce would refuse the value.
pub fn coerce(value: &KomoValue, field: &CrmField) -> Result<Option<Value>, Refusal> {
    let crm_type = field.field_type.as_str();
    let wrong = || Refusal::WrongType {
        kind: value.kind(),
        crm_type: crm_type.to_owned(),
    };
    let json = match (crm_type, value) {
        (_, KomoValue::Blank) => return Ok(None),
        ("email", KomoValue::Text(s)) => match EmailAddress::parse(s) {
            // Lower-cased, as Salesforce stores it (doc §3), so a later comparison sees no change.
            Ok(email) => Value::String(email.into()),
            Err(_) => return Err(Refusal::NotAnEmail { given: s.clone() }),
        },
        ("picklist", KomoValue::Text(s)) => Value::String(pick(field, s)?),
        ("multipicklist", KomoValue::Tags(_) | KomoValue::Text(_)) => {
            match multi_pick(field, value)? {
                Some(joined) => Value::String(joined),
                None => return Ok(None),
            }
        }
        ("boolean", KomoValue::Boolean(b)) => Value::Bool(*b),
        ("boolean", KomoValue::Text(s)) => {
            Value::Bool(parse_bool(s).ok_or_else(|| Refusal::Unreadable {
                given: s.clone(),
                wanted: "true or false",
            })?)
        }
        ("double" | "currency" | "percent", _) => {
            let n = number(value).ok_or_else(wrong)??;
            Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| Refusal::OutOfRange {
                    given: n.to_string(),
                })?
        }
        ("int" | "long", _) => whole(number(value).ok_or_else(wrong)??, crm_type == "int")?,
        ("date", KomoValue::Date(d)) => Value::String(d.to_string()),
        ("date", KomoValue::Timestamp(t)) => Value::String(
            CalendarDate::from_unix(*t)
                .ok_or_else(|| Refusal::OutOfRange {
                    given: t.to_string(),
                })?
                .to_string(),
        ),
        ("date", KomoValue::Text(s)) => Value::String(
            CalendarDate::parse(s)
                .map_err(|_| Refusal::Unreadable {
                    given: s.clone(),
                    wanted: "a date (YYYY-MM-DD)",
                })?
                .to_string(),
        ),
        ("datetime", KomoValue::Timestamp(t)) => Value::String(iso_datetime(*t)?),
        ("datetime", KomoValue::Date(d)) => Value::String(iso_datetime(d.unix_midnight())?),
        // A constant: a date means its midnight UTC; anything else goes as typed and Salesforce judges it.
        ("datetime", KomoValue::Text(s)) => match CalendarDate::parse(s) {
            Ok(d) => Value::String(iso_datetime(d.unix_midnight())?),
            Err(_) => Value::String(s.clone()),
        },
        (t, KomoValue::Text(s)) if TEXT_TYPES.contains(&t) => Value::String(s.clone()),
        (t, KomoValue::Number(n)) if TEXT_TYPES.contains(&t) => Value::String(n.to_string()),
        (t, KomoValue::Date(d)) if TEXT_TYPES.contains(&t) => Value::String(d.to_string()),
        _ => return Err(wrong()),
    };
    check_length(&json, field)?;
    Ok(Some(json))
}

/// `None` when the value is not a number at all (a type mismatch); `Some(Err)` for text that is not a number.
fn number(value: &KomoValue) -> Option<Result<f64, Refusal>> {
    match value {
        KomoValue::Number(n) => Some(Ok(*n)),
        KomoValue::Text(s) => Some(s.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(
            || Refusal::Unreadable {
                given: s.clone(),
                wanted: "a number",
            },
        )),
        _ => None,
    }
}

/// An `int` (32-bit) or `long` field takes whole numbers only; we refuse 4.5 rather than guess how
/// Salesforce would round it.
fn whole(n: f64, is_int: bool) -> Result<Value, Refusal> {
    if n.fract() != 0.0 {
        return Err(Refusal::NotWhole { given: n });
    }
    let (min, max) = if is_int {
        (f64::from(i32::MIN), f64::from(i32::MAX))
    } else {
        // Beyond ±2^53 an f64 no longer holds every whole number, so a larger value was already rounded.
        (-9_007_199_254_740_992.0, 9_007_199_254_740_992.0)
    };
    if n < min || n > max {
        return Err(Refusal::OutOfRange {
            given: n.to_string(),
        });
    }
    // In range and whole, so the cast is exact.
    Ok(Value::from(n as i64))
}

/// The describe's own spelling of a picklist value matched ignoring case; a restricted picklist refuses
/// anything else (`INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`), an unrestricted one takes it as given.
fn pick(field: &CrmField, given: &str) -> Result<String, Refusal> {
    let wanted = given.to_lowercase();
    match field
        .picklist_values
        .iter()
        .find(|v| v.to_lowercase() == wanted)
    {
        Some(value) => Ok(value.clone()),
        None if field.restricted_picklist => Err(Refusal::NotAllowed {
            given: given.to_owned(),
            allowed: field.picklist_values.clone(),
        }),
        None => Ok(given.to_owned()),
    }
}

/// Tags, or text split at `;`, each checked as a picklist value and joined with `;` (Salesforce's separator
/// for multi-select values). A tag that itself holds `;` becomes two values, as Salesforce would read it.
fn multi_pick(field: &CrmField, value: &KomoValue) -> Result<Option<String>, Refusal> {
    let raw: Vec<&str> = match value {
        KomoValue::Tags(tags) => tags.iter().flat_map(|t| t.split(';')).collect(),
        KomoValue::Text(s) => s.split(';').collect(),
        _ => Vec::new(),
    };
    let mut picked: Vec<String> = Vec::new();
    for part in raw.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let value = pick(field, part)?;
        if !picked
            .iter()
            .any(|p| p.to_lowercase() == value.to_lowercase())
        {
            picked.push(value);
        }
    }
    Ok((!picked.is_empty()).then(|| picked.join(";")))
}

/// Salesforce counts length in UTF-16 code units (Java strings), so an emoji counts twice.
fn check_length(json: &Value, field: &CrmField) -> Result<(), Refusal> {
    if let Value::String(s) = json {
        let length = s.encode_utf16().count();
        if field.length > 0 && length > field.length as usize {
            return Err(Refusal::TooLong {
                length,
                limit: field.length,
            });
        }
    }
    Ok(())
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS.000Z`: ISO 8601 in UTC, in the one form both REST and Bulk CSV take
/// (doc §6.1).
///
/// # Errors
/// [`Refusal::OutOfRange`] outside years 1–9999.
pub fn iso_datetime(secs: i64) -> Result<String, Refusal> {
    let date = CalendarDate::from_unix(secs).ok_or_else(|| Refusal::OutOfRange {
        given: secs.to_string(),
    })?;
    let of_day = secs.rem_euclid(86_400);
    Ok(format!(
        "{date}T{:02}:{:02}:{:02}.000Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    ))
}

#[cfg(test)]
mod tests;
