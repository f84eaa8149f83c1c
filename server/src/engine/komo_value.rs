//! A Komo field's value on one contact, read by catalog key and typed, before it meets a Salesforce field.
//!
//! Every kind of "nothing stored" (blank text, no date, no tags, an unset or since-deleted custom property)
//! reads as [`KomoValue::Blank`], so the mapping decides what a blank means in one place.

use shared::contact::custom::PropertyValue;
use shared::contact::date::CalendarDate;
use shared::contact::fields::StandardField;
use shared::contact::Contact;

#[derive(Debug, Clone, PartialEq)]
pub enum KomoValue {
    Blank,
    /// Trimmed and never empty. Emails, phones and single choices read as text too.
    Text(String),
    Number(f64),
    Date(CalendarDate),
    /// Unix seconds.
    Timestamp(i64),
    Boolean(bool),
    /// Never empty.
    Tags(Vec<String>),
}

impl KomoValue {
    /// Text, or blank when there is nothing but whitespace.
    pub fn text(raw: &str) -> Self {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            KomoValue::Blank
        } else {
            KomoValue::Text(trimmed.to_owned())
        }
    }

    /// What kind of value this is, for messages ("cannot take a date").
    pub fn kind(&self) -> &'static str {
        match self {
            KomoValue::Blank => "nothing",
            KomoValue::Text(_) => "text",
            KomoValue::Number(_) => "a number",
            KomoValue::Date(_) => "a date",
            KomoValue::Timestamp(_) => "a date and time",
            KomoValue::Boolean(_) => "yes/no",
            KomoValue::Tags(_) => "tags",
        }
    }
}

/// The value of the field with catalog key `key`. A key that is neither a standard field nor a property the
/// contact has reads as blank: Save already refused unknown keys, so this is a property deleted since.
pub fn value_of(contact: &Contact, key: &str) -> KomoValue {
    let Some(field) = StandardField::from_key(key) else {
        return match contact.custom.get(key) {
            None => KomoValue::Blank,
            Some(PropertyValue::Text(s) | PropertyValue::Choice(s)) => KomoValue::text(s),
            Some(PropertyValue::Number(n)) => KomoValue::Number(*n),
            Some(PropertyValue::Date(d)) => KomoValue::Date(*d),
            Some(PropertyValue::Boolean(b)) => KomoValue::Boolean(*b),
        };
    };
    use StandardField as F;
    let text = match field {
        F::Email => contact.email.as_str(),
        F::FirstName => &contact.first_name,
        F::LastName => &contact.last_name,
        F::Phone => &contact.phone,
        F::Mobile => &contact.mobile,
        F::Company => &contact.company,
        F::JobTitle => &contact.job_title,
        F::Street => &contact.street,
        F::City => &contact.city,
        F::Region => &contact.region,
        F::Postcode => &contact.postcode,
        F::Country => &contact.country,
        F::SourceHub => &contact.source_hub,
        F::SourceCampaign => &contact.source_campaign,
        F::DateOfBirth => {
            return contact
                .date_of_birth
                .map_or(KomoValue::Blank, KomoValue::Date)
        }
        F::MarketingOptIn => return KomoValue::Boolean(contact.marketing_opt_in),
        F::MarketingOptInAt => {
            return contact
                .marketing_opt_in_at
                .map_or(KomoValue::Blank, KomoValue::Timestamp)
        }
        F::CreatedAt => return KomoValue::Timestamp(contact.created_at),
        F::UpdatedAt => return KomoValue::Timestamp(contact.updated_at),
        F::Tags => {
            let tags: Vec<String> = contact
                .tags
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            return if tags.is_empty() {
                KomoValue::Blank
            } else {
                KomoValue::Tags(tags)
            };
        }
    };
    KomoValue::text(text)
}
