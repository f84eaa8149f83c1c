//! Komo contacts: raw input (an API item, a CSV row) is parsed once into [`NewContact`], against the
//! workspace's custom properties; what storage hands back is a [`Contact`].
//!
//! Absent and blank are different on purpose: a field left out of an upsert keeps its stored value, a field
//! given as blank clears it. That lets the Komo workspace send only what changed.

pub mod custom;
pub mod date;
pub mod fields;
pub mod import;
pub mod query;

use crate::email::{EmailAddress, EmailError};
use custom::{parse_bool, CustomProperty, PropertyValue};
use date::CalendarDate;
use fields::StandardField;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest text value we keep, in characters (Salesforce's own text fields stop at 255).
pub const MAX_TEXT: usize = 255;
/// Most tags one contact may carry, and the longest tag.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_LEN: usize = 50;

/// One problem with one field of one contact. `Display` is the reason; [`ContactError::field`] names the
/// field, so the API and the import report can say "row 7, date_of_birth: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("{0}")]
    Email(EmailError),
    #[error("it is longer than {max} characters")]
    TooLong { field: String, max: usize },
    #[error("\"{given}\" is not a date (use YYYY-MM-DD)")]
    Date { field: String, given: String },
    #[error("\"{given}\" is not a time (use Unix seconds or YYYY-MM-DD)")]
    Timestamp { field: String, given: String },
    #[error("\"{given}\" is not yes or no")]
    Boolean { field: String, given: String },
    #[error("\"{given}\" is not a number")]
    Number { field: String, given: String },
    #[error("\"{given}\" is not one of: {choices}")]
    Choice {
        field: String,
        given: String,
        choices: String,
    },
    #[error("at most {MAX_TAGS} tags of up to {MAX_TAG_LEN} characters each")]
    Tags,
    #[error("there is no such contact field or custom property")]
    UnknownField { field: String },
    #[error("{reason}")]
    Malformed { field: String, reason: String },
}

impl ContactError {
    pub fn field(&self) -> &str {
        match self {
            ContactError::Email(_) => "email",
            ContactError::Tags => "tags",
            ContactError::TooLong { field, .. }
            | ContactError::Date { field, .. }
            | ContactError::Timestamp { field, .. }
            | ContactError::Boolean { field, .. }
            | ContactError::Number { field, .. }
            | ContactError::Choice { field, .. }
            | ContactError::UnknownField { field }
            | ContactError::Malformed { field, .. } => field,
        }
    }
}

/// A contact as it arrives: every value still text, every field optional except email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub email: String,
    /// Standard fields other than email and tags, by key.
    pub standard: BTreeMap<String, String>,
    pub tags: Option<Vec<String>>,
    /// Custom property values, by property name.
    pub custom: BTreeMap<String, String>,
}

impl ContactInput {
    /// Sets a field by its catalog key: how CSV columns and API keys land in the right place.
    pub fn set(&mut self, key: &str, value: String) {
        match StandardField::from_key(key) {
            Some(StandardField::Email) => self.email = value,
            Some(StandardField::Tags) => {
                self.tags = Some(value.split([',', ';']).map(str::to_owned).collect());
            }
            Some(_) => {
                self.standard.insert(key.to_owned(), value);
            }
            None => {
                self.custom.insert(key.to_owned(), value);
            }
        }
    }
}

/// The standard text fields, in column order. Each is `None` when not given (keep) or `Some` (set; blank
/// clears).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactText {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub source_hub: Option<String>,
    pub source_campaign: Option<String>,
}

impl ContactText {
    fn slot(&mut self, field: StandardField) -> Option<&mut Option<String>> {
        use StandardField as F;
        Some(match field {
            F::FirstName => &mut self.first_name,
            F::LastName => &mut self.last_name,
            F::Phone => &mut self.phone,
            F::Mobile => &mut self.mobile,
            F::Company => &mut self.company,
            F::JobTitle => &mut self.job_title,
            F::Street => &mut self.street,
            F::City => &mut self.city,
            F::Region => &mut self.region,
            F::Postcode => &mut self.postcode,
            F::Country => &mut self.country,
            F::SourceHub => &mut self.source_hub,
            F::SourceCampaign => &mut self.source_campaign,
            _ => return None,
        })
    }
}

/// A contact ready to upsert. `None` means "not given: keep what is stored".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewContact {
    pub email: EmailAddress,
    pub text: ContactText,
    /// `Some(None)` clears the stored date.
    pub date_of_birth: Option<Option<CalendarDate>>,
    pub marketing_opt_in: Option<bool>,
    /// Unix seconds; when opting in without it, the server records the time it saw the opt-in.
    pub marketing_opt_in_at: Option<i64>,
    pub tags: Option<Vec<String>>,
    /// `None` as a value clears that property.
    pub custom: BTreeMap<String, Option<PropertyValue>>,
}

impl NewContact {
    /// Parses every field, collecting every problem rather than stopping at the first, so one report
    /// lists all that is wrong with a row.
    ///
    /// # Errors
    /// Each field that is wrong, with the reason.
    pub fn parse(
        input: ContactInput,
        properties: &[CustomProperty],
    ) -> Result<Self, Vec<ContactError>> {
        let mut errors = Vec::new();
        let email = EmailAddress::parse(&input.email).map_err(ContactError::Email);
        let mut draft = Draft::default();
        for (key, raw) in input.standard {
            if let Err(e) = draft.set_standard(&key, &raw) {
                errors.push(e);
            }
        }
        if let Some(tags) = input.tags {
            match parse_tags(&tags) {
                Ok(tags) => draft.tags = Some(tags),
                Err(e) => errors.push(e),
            }
        }
        for (key, raw) in input.custom {
            match properties.iter().find(|p| p.name.as_str() == key) {
                None => errors.push(ContactError::UnknownField { field: key }),
                Some(property) => match property.parse_value(&raw) {
                    Ok(value) => {
                        draft.custom.insert(key, value);
                    }
                    Err(e) => errors.push(e),
                },
            }
        }
        match email {
            Ok(email) if errors.is_empty() => Ok(NewContact {
                email,
                text: draft.text,
                date_of_birth: draft.date_of_birth,
                marketing_opt_in: draft.marketing_opt_in,
                marketing_opt_in_at: draft.marketing_opt_in_at,
                tags: draft.tags,
                custom: draft.custom,
            }),
            Ok(_) => Err(errors),
            Err(e) => {
                errors.insert(0, e);
                Err(errors)
            }
        }
    }
}

/// Everything of a [`NewContact`] but the email, filled in field by field.
#[derive(Default)]
struct Draft {
    text: ContactText,
    date_of_birth: Option<Option<CalendarDate>>,
    marketing_opt_in: Option<bool>,
    marketing_opt_in_at: Option<i64>,
    tags: Option<Vec<String>>,
    custom: BTreeMap<String, Option<PropertyValue>>,
}

impl Draft {
    fn set_standard(&mut self, key: &str, raw: &str) -> Result<(), ContactError> {
        let field = || key.to_owned();
        let value = raw.trim();
        let Some(standard) = StandardField::from_key(key).filter(|f| f.writable()) else {
            return Err(ContactError::UnknownField { field: field() });
        };
        if let Some(slot) = self.text.slot(standard) {
            if value.chars().count() > MAX_TEXT {
                return Err(ContactError::TooLong {
                    field: field(),
                    max: MAX_TEXT,
                });
            }
            *slot = Some(value.to_owned());
            return Ok(());
        }
        match standard {
            StandardField::DateOfBirth if value.is_empty() => self.date_of_birth = Some(None),
            StandardField::DateOfBirth => {
                let date = CalendarDate::parse(value).map_err(|_| ContactError::Date {
                    field: field(),
                    given: value.to_owned(),
                })?;
                self.date_of_birth = Some(Some(date));
            }
            StandardField::MarketingOptIn if value.is_empty() => {}
            StandardField::MarketingOptIn => {
                let opt_in = parse_bool(value).ok_or_else(|| ContactError::Boolean {
                    field: field(),
                    given: value.to_owned(),
                })?;
                self.marketing_opt_in = Some(opt_in);
            }
            StandardField::MarketingOptInAt if value.is_empty() => {}
            StandardField::MarketingOptInAt => {
                let at = value
                    .parse::<i64>()
                    .ok()
                    .or_else(|| {
                        CalendarDate::parse(value)
                            .ok()
                            .map(CalendarDate::unix_midnight)
                    })
                    .ok_or_else(|| ContactError::Timestamp {
                        field: field(),
                        given: value.to_owned(),
                    })?;
                self.marketing_opt_in_at = Some(at);
            }
            _ => return Err(ContactError::UnknownField { field: field() }),
        }
        Ok(())
    }
}

/// Trims, drops blanks and repeats (ignoring case, keeping the first spelling).
fn parse_tags(raw: &[String]) -> Result<Vec<String>, ContactError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if tag.chars().count() > MAX_TAG_LEN {
            return Err(ContactError::Tags);
        }
        if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(ContactError::Tags);
    }
    Ok(tags)
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub email: EmailAddress,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub mobile: String,
    pub company: String,
    pub job_title: String,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub country: String,
    pub date_of_birth: Option<CalendarDate>,
    pub marketing_opt_in: bool,
    pub marketing_opt_in_at: Option<i64>,
    pub source_hub: String,
    pub source_campaign: String,
    pub tags: Vec<String>,
    pub custom: BTreeMap<String, PropertyValue>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Contact {
    /// "Ada Lovelace", or the email when no name is known.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        let name = name.trim();
        if name.is_empty() {
            self.email.to_string()
        } else {
            name.to_owned()
        }
    }
}

#[cfg(test)]
mod tests;
