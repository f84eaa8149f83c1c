//! Custom contact properties: each workspace defines its own (name, label, type, choices), and values are
//! parsed against that definition, so a stored value always fits its property.

use super::date::CalendarDate;
use super::fields::StandardField;
use super::ContactError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    Text,
    Number,
    Date,
    Boolean,
    SingleChoice,
}

impl PropertyType {
    pub const ALL: [PropertyType; 5] = [
        PropertyType::Text,
        PropertyType::Number,
        PropertyType::Date,
        PropertyType::Boolean,
        PropertyType::SingleChoice,
    ];

    /// The stable name stored in the database and sent in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyType::Text => "text",
            PropertyType::Number => "number",
            PropertyType::Date => "date",
            PropertyType::Boolean => "boolean",
            PropertyType::SingleChoice => "single_choice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PropertyType::Text => "Text",
            PropertyType::Number => "Number",
            PropertyType::Date => "Date",
            PropertyType::Boolean => "Yes / no",
            PropertyType::SingleChoice => "Single choice",
        }
    }

    /// # Errors
    /// Names the unknown type.
    pub fn parse(raw: &str) -> Result<Self, PropertyError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| PropertyError::Type(raw.to_owned()))
    }
}

/// What is wrong with a property definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PropertyError {
    #[error("Name: use 1 to 40 lower-case letters, digits or _, starting with a letter")]
    Name,
    #[error("Name: \"{0}\" is a standard contact field")]
    Reserved(String),
    #[error("Label: it is empty or longer than 80 characters")]
    Label,
    #[error("Type: \"{0}\" is not a property type")]
    Type(String),
    #[error("Choices: a single-choice property needs at least one choice")]
    NoChoices,
}

impl PropertyError {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            PropertyError::Name | PropertyError::Reserved(_) => "name",
            PropertyError::Label => "label",
            PropertyError::Type(_) => "kind",
            PropertyError::NoChoices => "choices",
        }
    }
}

/// A property's key in API bodies, CSV mappings and stored JSON: `[a-z][a-z0-9_]{0,39}`, never a standard
/// field's key, so one flat namespace of field keys serves the catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PropertyName(String);

impl PropertyName {
    /// # Errors
    /// [`PropertyError::Name`] for a malformed name, [`PropertyError::Reserved`] for a standard field's.
    pub fn parse(raw: &str) -> Result<Self, PropertyError> {
        let name = raw.trim();
        let mut bytes = name.bytes();
        let ok = name.len() <= 40
            && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
            && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(PropertyError::Name);
        }
        if StandardField::from_key(name).is_some() {
            return Err(PropertyError::Reserved(name.to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PropertyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PropertyName {
    type Error = PropertyError;
    fn try_from(raw: String) -> Result<Self, PropertyError> {
        Self::parse(&raw)
    }
}

impl From<PropertyName> for String {
    fn from(name: PropertyName) -> Self {
        name.0
    }
}

/// A workspace's definition of one custom property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomProperty {
    pub name: PropertyName,
    pub label: String,
    pub kind: PropertyType,
    /// The allowed values of a single-choice property, in display order; empty for other types.
    pub choices: Vec<String>,
}

/// A value of a custom property, already checked against its definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PropertyValue {
    Text(String),
    Number(f64),
    Date(CalendarDate),
    Boolean(bool),
    Choice(String),
}

impl fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyValue::Text(s) | PropertyValue::Choice(s) => f.write_str(s),
            PropertyValue::Number(n) => write!(f, "{n}"),
            PropertyValue::Date(d) => write!(f, "{d}"),
            PropertyValue::Boolean(b) => f.write_str(if *b { "Yes" } else { "No" }),
        }
    }
}

/// Yes/no as people write it in files and forms.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" => Some(true),
        "false" | "no" | "n" | "0" | "off" => Some(false),
        _ => None,
    }
}

impl CustomProperty {
    /// Parses a definition from a form; `choices` is one choice per line (or comma-separated).
    ///
    /// # Errors
    /// The first problem found, with its field.
    pub fn parse(
        name: &str,
        label: &str,
        kind: &str,
        choices: &str,
    ) -> Result<Self, PropertyError> {
        let name = PropertyName::parse(name)?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(PropertyError::Label);
        }
        let kind = PropertyType::parse(kind)?;
        let mut list: Vec<String> = Vec::new();
        if kind == PropertyType::SingleChoice {
            for choice in choices.split(['\n', ',']).map(str::trim) {
                if !choice.is_empty() && !list.iter().any(|c| c == choice) {
                    list.push(choice.to_owned());
                }
            }
            if list.is_empty() {
                return Err(PropertyError::NoChoices);
            }
        }
        Ok(Self {
            name,
            label: label.to_owned(),
            kind,
            choices: list,
        })
    }

    /// Parses a raw value for this property. A blank value means "clear it" and gives `None`.
    ///
    /// # Errors
    /// A [`ContactError`] naming this property and the value.
    pub fn parse_value(&self, raw: &str) -> Result<Option<PropertyValue>, ContactError> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let field = || self.name.as_str().to_owned();
        let given = || value.to_owned();
        let parsed = match self.kind {
            PropertyType::Text => {
                if value.chars().count() > super::MAX_TEXT {
                    return Err(ContactError::TooLong {
                        field: field(),
                        max: super::MAX_TEXT,
                    });
                }
                PropertyValue::Text(value.to_owned())
            }
            PropertyType::Number => match value.parse::<f64>() {
                Ok(n) if n.is_finite() => PropertyValue::Number(n),
                _ => {
                    return Err(ContactError::Number {
                        field: field(),
                        given: given(),
                    })
                }
            },
            PropertyType::Date => CalendarDate::parse(value)
                .map(PropertyValue::Date)
                .map_err(|_| ContactError::Date {
                    field: field(),
                    given: given(),
                })?,
            PropertyType::Boolean => {
                parse_bool(value)
                    .map(PropertyValue::Boolean)
                    .ok_or_else(|| ContactError::Boolean {
                        field: field(),
                        given: given(),
                    })?
            }
            PropertyType::SingleChoice => {
                // Choices match case-insensitively but are stored as defined, so filters see one spelling.
                let found = self.choices.iter().find(|c| c.eq_ignore_ascii_case(value));
                match found {
                    Some(choice) => PropertyValue::Choice(choice.clone()),
                    None => {
                        return Err(ContactError::Choice {
                            field: field(),
                            given: given(),
                            choices: self.choices.join(", "),
                        })
                    }
                }
            }
        };
        Ok(Some(parsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn property(kind: &str, choices: &str) -> CustomProperty {
        CustomProperty::parse("favourite", "Favourite", kind, choices).expect("definition")
    }

    #[test]
    fn names_are_checked_and_standard_keys_are_reserved() {
        assert!(PropertyName::parse("shoe_size2").is_ok());
        for bad in ["", "2x", "Shoe", "shoe size", "shoe-size"] {
            assert_eq!(PropertyName::parse(bad), Err(PropertyError::Name), "{bad}");
        }
        assert!(matches!(
            PropertyName::parse("email"),
            Err(PropertyError::Reserved(_))
        ));
    }

    #[test]
    fn values_are_parsed_by_the_property_type() {
        assert_eq!(
            property("number", "").parse_value("4.5"),
            Ok(Some(PropertyValue::Number(4.5)))
        );
        assert!(property("number", "").parse_value("four").is_err());
        assert!(property("number", "").parse_value("NaN").is_err());
        assert_eq!(
            property("boolean", "").parse_value("Yes"),
            Ok(Some(PropertyValue::Boolean(true)))
        );
        assert!(property("date", "").parse_value("31/12/2020").is_err());
        assert_eq!(property("text", "").parse_value("  "), Ok(None));
    }

    #[test]
    fn a_choice_must_be_one_of_the_defined_choices() {
        let p = property("single_choice", "Red\nGreen, Blue\nRed");
        assert_eq!(p.choices, ["Red", "Green", "Blue"]);
        assert_eq!(
            p.parse_value("green"),
            Ok(Some(PropertyValue::Choice("Green".into())))
        );
        let err = p.parse_value("Purple").expect_err("unknown choice");
        assert_eq!(err.field(), "favourite");
        assert!(err.to_string().contains("Red, Green, Blue"), "{err}");
        assert_eq!(
            CustomProperty::parse("x", "X", "single_choice", " , "),
            Err(PropertyError::NoChoices)
        );
    }

    proptest! {
        #[test]
        fn valid_names_round_trip(name in "[a-z][a-z0-9_]{0,39}") {
            prop_assume!(StandardField::from_key(&name).is_none());
            let parsed = PropertyName::parse(&name).expect("valid");
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn any_finite_number_parses_back_to_itself(n in proptest::num::f64::NORMAL) {
            prop_assert_eq!(
                property("number", "").parse_value(&n.to_string()),
                Ok(Some(PropertyValue::Number(n)))
            );
        }

        #[test]
        fn parsing_a_value_never_panics(kind in 0usize..5, raw in ".{0,30}") {
            let p = property(PropertyType::ALL[kind].as_str(), "a,b");
            let _ = p.parse_value(&raw);
        }
    }
}
