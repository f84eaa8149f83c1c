//! A data extension's fields: their types, and how a value sent for one is checked and stored.
//!
//! Values are stored as canonical strings (what SQL Server would hold, rendered as the REST rowset GET
//! renders them back): numbers without padding, decimals at their scale, dates as `M/D/YYYY h:mm:ss AM`,
//! booleans as `True` / `False`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldType {
    Text,
    Number,
    Decimal,
    Date,
    Boolean,
    EmailAddress,
    Phone,
    Locale,
}

/// A field as the control API creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Text: 1–4000 (default 50; `None` with `unlimited`); Decimal: the precision; EmailAddress: 254;
    /// Locale: 5.
    #[serde(default)]
    pub length: Option<u32>,
    /// Decimal: digits after the point.
    #[serde(default)]
    pub scale: Option<u32>,
    #[serde(default)]
    pub is_primary_key: bool,
    /// Primary-key fields are never nullable.
    #[serde(default = "yes")]
    pub is_nullable: bool,
    #[serde(default)]
    pub default_value: Option<String>,
}

fn yes() -> bool {
    true
}

/// Why a value does not fit its field: the per-row `errors[]` entry of an async result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub name: String,
    /// 70001 for a null in a non-nullable column [code: fixture 19]; the others are our choice
    /// [unverified]: 70002 too long, 70003 not of the column's type.
    pub code: u32,
    pub message: String,
}

impl FieldSpec {
    /// The length a field has when the control API gave none.
    pub fn effective_length(&self) -> Option<u32> {
        match self.field_type {
            FieldType::Text => Some(self.length.unwrap_or(50)),
            FieldType::EmailAddress => Some(self.length.unwrap_or(254)),
            FieldType::Locale => Some(5),
            FieldType::Decimal => Some(self.length.unwrap_or(18)),
            FieldType::Phone => Some(50),
            FieldType::Number | FieldType::Date | FieldType::Boolean => None,
        }
    }

    /// Checks `value` and returns it as stored, `None` for a null (an absent value is the caller's).
    pub fn store(&self, value: &Value) -> Result<Option<String>, FieldError> {
        let text = match value {
            Value::Null => return Ok(None),
            Value::String(s) if s.is_empty() && self.field_type != FieldType::Text => {
                return Ok(None)
            }
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(_) | Value::Object(_) => return Err(self.not_a(value)),
        };
        match self.field_type {
            FieldType::Text => self.within_length(text).map(Some),
            FieldType::EmailAddress => {
                if !valid_email(&text) {
                    return Err(self.error(
                        70003,
                        format!(
                            "The value for column [{}] is not a valid email address. Parse error [InvalidEmailAddress]",
                            self.name
                        ),
                    ));
                }
                self.within_length(text).map(Some)
            }
            FieldType::Phone => {
                let digits = text.chars().filter(char::is_ascii_digit).count();
                let allowed = text
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
                if !allowed || digits < 7 {
                    return Err(self.not_a(value));
                }
                self.within_length(text).map(Some)
            }
            FieldType::Locale => {
                // `en` or `en-US` [unverified: the tenant's exact rule].
                let shaped = match text.split_once('-') {
                    None => text.len() == 2,
                    Some((language, region)) => language.len() == 2 && region.len() == 2,
                };
                if !shaped || !text.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
                    return Err(self.not_a(value));
                }
                Ok(Some(text))
            }
            FieldType::Number => text
                .trim()
                .parse::<i32>()
                .map(|n| Some(n.to_string()))
                .map_err(|_| self.not_a(value)),
            FieldType::Decimal => self.decimal(&text).map(Some),
            FieldType::Boolean => match text.to_ascii_lowercase().as_str() {
                "true" | "1" | "y" | "yes" => Ok(Some("True".into())),
                "false" | "0" | "n" | "no" => Ok(Some("False".into())),
                _ => Err(self.not_a(value)),
            },
            FieldType::Date => crate::dates::store(&text)
                .map(Some)
                .ok_or_else(|| self.not_a(value)),
        }
    }

    fn within_length(&self, text: String) -> Result<String, FieldError> {
        match self.effective_length() {
            Some(max) if text.chars().count() > max as usize => Err(self.error(
                70002,
                format!(
                    "The value for column [{}] is too long. The maximum length is {max}.",
                    self.name
                ),
            )),
            _ => Ok(text),
        }
    }

    fn decimal(&self, text: &str) -> Result<String, FieldError> {
        let precision = self.effective_length().unwrap_or(18) as usize;
        let scale = self.scale.unwrap_or(0) as usize;
        let t = text.trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let numeric = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !numeric(whole) || !numeric(fraction) {
            return Err(self.not_a(&Value::String(text.into())));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > precision.saturating_sub(scale) {
            return Err(self.error(
                70003,
                format!(
                    "The value for column [{}] is out of range for Decimal({precision},{scale}).",
                    self.name
                ),
            ));
        }
        let mut fraction: String = fraction.chars().take(scale).collect();
        while fraction.len() < scale {
            fraction.push('0');
        }
        let whole = if whole.is_empty() { "0" } else { whole };
        let sign = if negative { "-" } else { "" };
        Ok(if scale == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{fraction}")
        })
    }

    fn not_a(&self, value: &Value) -> FieldError {
        self.error(
            70003,
            format!(
                "The value {value} for column [{}] is not a valid {:?}.",
                self.name, self.field_type
            ),
        )
    }

    fn error(&self, code: u32, message: String) -> FieldError {
        FieldError {
            name: self.name.clone(),
            code,
            message,
        }
    }

    /// The 70001 error for a missing value of a non-nullable column [code: fixture 19].
    pub fn null_refused(&self) -> FieldError {
        self.error(
            70001,
            format!("Column [{}] does not allow null value.", self.name),
        )
    }
}

/// `local@domain.tld`, no spaces, one `@`: the syntax the tenant checks [unverified: its exact rules].
fn valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(field_type: FieldType, length: Option<u32>, scale: Option<u32>) -> FieldSpec {
        FieldSpec {
            name: "F".into(),
            field_type,
            length,
            scale,
            is_primary_key: false,
            is_nullable: true,
            default_value: None,
        }
    }

    /// A field's type, length and scale; a value sent; what is stored, or the error code.
    type Case = (
        FieldType,
        Option<u32>,
        Option<u32>,
        Value,
        Result<Option<&'static str>, u32>,
    );

    #[test]
    fn each_type_stores_its_canonical_form_or_names_what_is_wrong() {
        let cases: [Case; 14] = [
            (
                FieldType::Text,
                Some(3),
                None,
                json!("abc"),
                Ok(Some("abc")),
            ),
            (FieldType::Text, Some(3), None, json!("abcd"), Err(70002)),
            (FieldType::Text, None, None, json!(""), Ok(Some(""))),
            (FieldType::Number, None, None, json!(42), Ok(Some("42"))),
            (FieldType::Number, None, None, json!("4.5"), Err(70003)),
            (FieldType::Number, None, None, json!(""), Ok(None)),
            (
                FieldType::Decimal,
                Some(6),
                Some(3),
                json!("12.5"),
                Ok(Some("12.500")),
            ),
            (
                FieldType::Decimal,
                Some(6),
                Some(3),
                json!(1234.5),
                Err(70003),
            ),
            (
                FieldType::Boolean,
                None,
                None,
                json!(true),
                Ok(Some("True")),
            ),
            (FieldType::Boolean, None, None, json!("maybe"), Err(70003)),
            (
                FieldType::EmailAddress,
                None,
                None,
                json!("ada@example.com"),
                Ok(Some("ada@example.com")),
            ),
            (
                FieldType::EmailAddress,
                None,
                None,
                json!("ada at example"),
                Err(70003),
            ),
            (
                FieldType::Date,
                None,
                None,
                json!("2024-06-23"),
                Ok(Some("6/23/2024 12:00:00 AM")),
            ),
            (
                FieldType::Locale,
                None,
                None,
                json!("en-US"),
                Ok(Some("en-US")),
            ),
        ];
        for (field_type, length, scale, value, expected) in cases {
            let got = field(field_type, length, scale)
                .store(&value)
                .map_err(|e| e.code);
            assert_eq!(
                got,
                expected.map(|v| v.map(str::to_owned)),
                "{field_type:?} {value}"
            );
        }
    }
}
