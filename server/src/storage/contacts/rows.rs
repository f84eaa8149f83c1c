//! Contact rows as stored, both ways: [`UpsertRow`] binds a [`NewContact`], [`ContactRow`] reads one back
//! through the same parsers (email, date, property values) that checked it on the way in.

use crate::storage::binds::{Bind, Binds, SqlType};
use crate::storage::StorageError;
use shared::contact::custom::PropertyValue;
use shared::contact::date::CalendarDate;
use shared::contact::query::{ContactCursor, ContactSort};
use shared::contact::{Contact, NewContact};
use shared::EmailAddress;
use std::collections::BTreeMap;

pub(super) const CONTACT_COLUMNS: &str = "id, email, first_name, last_name, phone, mobile, company, \
    job_title, street, city, region, postcode, country, date_of_birth, marketing_opt_in, \
    marketing_opt_in_at, source_hub, source_campaign, tags, custom, sort_name, created_at, updated_at";

/// One contact as the upsert reads it: an object of the JSON row set bound as one parameter
/// ([`crate::storage::binds`]). Text fields borrow from the contact; the workspace and the time are bound
/// once per statement.
#[derive(serde::Serialize)]
pub(super) struct UpsertRow<'a> {
    pub email: &'a str,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub company: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub street: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub country: Option<&'a str>,
    pub date_of_birth: Option<String>,
    pub marketing_opt_in: Option<bool>,
    pub marketing_opt_in_at: Option<i64>,
    pub source_hub: Option<&'a str>,
    pub source_campaign: Option<&'a str>,
    pub tags: Option<String>,
    pub custom: Option<String>,
    pub name_key: String,
    pub sort_name: String,
}

/// The row set's columns, as the statement reads them back (same names as the table's).
pub(super) const UPSERT_ROW_COLUMNS: [(&str, SqlType); 21] = [
    ("email", SqlType::Text),
    ("first_name", SqlType::Text),
    ("last_name", SqlType::Text),
    ("phone", SqlType::Text),
    ("mobile", SqlType::Text),
    ("company", SqlType::Text),
    ("job_title", SqlType::Text),
    ("street", SqlType::Text),
    ("city", SqlType::Text),
    ("region", SqlType::Text),
    ("postcode", SqlType::Text),
    ("country", SqlType::Text),
    ("date_of_birth", SqlType::Text),
    ("marketing_opt_in", SqlType::Bool),
    ("marketing_opt_in_at", SqlType::Int),
    ("source_hub", SqlType::Text),
    ("source_campaign", SqlType::Text),
    ("tags", SqlType::Text),
    ("custom", SqlType::Text),
    ("name_key", SqlType::Text),
    ("sort_name", SqlType::Text),
];

fn json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl<'a> UpsertRow<'a> {
    pub fn new(c: &'a NewContact, now: i64) -> Result<Self, StorageError> {
        let t = &c.text;
        let first = t.first_name.as_deref().unwrap_or_default();
        let last = t.last_name.as_deref().unwrap_or_default();
        Ok(Self {
            email: c.email.as_str(),
            first_name: t.first_name.as_deref(),
            last_name: t.last_name.as_deref(),
            phone: t.phone.as_deref(),
            mobile: t.mobile.as_deref(),
            company: t.company.as_deref(),
            job_title: t.job_title.as_deref(),
            street: t.street.as_deref(),
            city: t.city.as_deref(),
            region: t.region.as_deref(),
            postcode: t.postcode.as_deref(),
            country: t.country.as_deref(),
            date_of_birth: c
                .date_of_birth
                .map(|d| d.map(|d| d.to_string()).unwrap_or_default()),
            marketing_opt_in: c.marketing_opt_in,
            // On insert: opting in without a time records now; the conflict clause decides for updates.
            marketing_opt_in_at: match c.marketing_opt_in {
                Some(true) => Some(c.marketing_opt_in_at.unwrap_or(now)),
                Some(false) => None,
                None => c.marketing_opt_in_at,
            },
            source_hub: t.source_hub.as_deref(),
            source_campaign: t.source_campaign.as_deref(),
            tags: c.tags.as_ref().map(json).transpose()?,
            custom: if c.custom.is_empty() {
                None
            } else {
                Some(json(&c.custom)?)
            },
            // ASCII lower-casing, as SQL's lower() does on both backends for updates.
            name_key: format!("{first} {last}").trim().to_ascii_lowercase(),
            sort_name: format!("{last} {first}").trim().to_ascii_lowercase(),
        })
    }

    /// Adds the row's values to `binds` in [`UPSERT_ROW_COLUMNS`] order and returns the placeholders,
    /// comma-separated, for a `values (…)` row.
    pub fn bind_values(&self, binds: &mut Binds) -> String {
        let text = |v: Option<&str>| v.map_or(Bind::Null(SqlType::Text), |v| Bind::Text(v.into()));
        let owned = |v: &Option<String>| text(v.as_deref());
        let values = [
            Bind::Text(self.email.into()),
            text(self.first_name),
            text(self.last_name),
            text(self.phone),
            text(self.mobile),
            text(self.company),
            text(self.job_title),
            text(self.street),
            text(self.city),
            text(self.region),
            text(self.postcode),
            text(self.country),
            owned(&self.date_of_birth),
            self.marketing_opt_in
                .map_or(Bind::Null(SqlType::Bool), Bind::Bool),
            self.marketing_opt_in_at
                .map_or(Bind::Null(SqlType::Int), Bind::Int),
            text(self.source_hub),
            text(self.source_campaign),
            owned(&self.tags),
            owned(&self.custom),
            Bind::Text(self.name_key.clone()),
            Bind::Text(self.sort_name.clone()),
        ];
        let placeholders: Vec<String> = values.into_iter().map(|v| binds.bind(v)).collect();
        placeholders.join(", ")
    }
}

/// Read either as a database row or, on SQLite, from a JSON page ([`crate::storage::json_page`]) as an
/// array of the [`CONTACT_COLUMNS`] in order — so the fields stay in that order.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(super) struct ContactRow {
    id: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    company: Option<String>,
    job_title: Option<String>,
    street: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postcode: Option<String>,
    country: Option<String>,
    date_of_birth: Option<String>,
    #[serde(deserialize_with = "crate::storage::json_page::bool_or_int::optional")]
    marketing_opt_in: Option<bool>,
    marketing_opt_in_at: Option<i64>,
    source_hub: Option<String>,
    source_campaign: Option<String>,
    tags: Option<String>,
    custom: Option<String>,
    sort_name: String,
    created_at: i64,
    updated_at: i64,
}

impl ContactRow {
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Where a page that ends at this row continues.
    pub fn cursor(&self, sort: ContactSort) -> ContactCursor {
        let key = match sort {
            ContactSort::RecentlyUpdated => self.updated_at.to_string(),
            ContactSort::Email => self.email.clone(),
            ContactSort::Name => self.sort_name.clone(),
        };
        ContactCursor { key, id: self.id }
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("contact {what}: {e}"))
}

impl TryFrom<ContactRow> for Contact {
    type Error = StorageError;
    fn try_from(row: ContactRow) -> Result<Self, StorageError> {
        let date_of_birth = match row.date_of_birth.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(CalendarDate::parse(raw).map_err(|e| corrupt("date", e))?),
        };
        let tags: Vec<String> = match row.tags.as_deref() {
            None => Vec::new(),
            Some(raw) => serde_json::from_str(raw).map_err(|e| corrupt("tags", e))?,
        };
        // Values of a property since deleted, or cleared (null), are skipped rather than failing the row.
        let custom: BTreeMap<String, PropertyValue> = match row.custom.as_deref() {
            None => BTreeMap::new(),
            Some(raw) => {
                let map: BTreeMap<String, serde_json::Value> =
                    serde_json::from_str(raw).map_err(|e| corrupt("custom", e))?;
                map.into_iter()
                    .filter_map(|(k, v)| serde_json::from_value(v).ok().map(|v| (k, v)))
                    .collect()
            }
        };
        Ok(Contact {
            id: row.id,
            email: EmailAddress::parse(&row.email).map_err(|e| corrupt("email", e))?,
            first_name: row.first_name.unwrap_or_default(),
            last_name: row.last_name.unwrap_or_default(),
            phone: row.phone.unwrap_or_default(),
            mobile: row.mobile.unwrap_or_default(),
            company: row.company.unwrap_or_default(),
            job_title: row.job_title.unwrap_or_default(),
            street: row.street.unwrap_or_default(),
            city: row.city.unwrap_or_default(),
            region: row.region.unwrap_or_default(),
            postcode: row.postcode.unwrap_or_default(),
            country: row.country.unwrap_or_default(),
            date_of_birth,
            marketing_opt_in: row.marketing_opt_in.unwrap_or(false),
            marketing_opt_in_at: row.marketing_opt_in_at,
            source_hub: row.source_hub.unwrap_or_default(),
            source_campaign: row.source_campaign.unwrap_or_default(),
            tags,
            custom,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::contact::ContactInput;

    /// `bind_values` and the JSON row set must agree column for column: the `values (…)` statement
    /// names its columns from [`UPSERT_ROW_COLUMNS`], so a value out of place lands in the wrong column.
    #[test]
    fn bound_values_follow_the_column_order() {
        let mut input = ContactInput {
            email: "ada@example.com".into(),
            ..ContactInput::default()
        };
        for (key, value) in [
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("phone", "1"),
            ("mobile", "2"),
            ("company", "3"),
            ("job_title", "4"),
            ("street", "5"),
            ("city", "6"),
            ("region", "7"),
            ("postcode", "8"),
            ("country", "9"),
            ("date_of_birth", "1815-12-10"),
            ("marketing_opt_in", "true"),
            ("source_hub", "10"),
            ("source_campaign", "11"),
        ] {
            input.set(key, value.to_owned());
        }
        let contact = NewContact::parse(input, &[]).expect("valid contact");
        let row = UpsertRow::new(&contact, 42).expect("row");
        let object = serde_json::to_value(&row).expect("json");
        let mut binds = Binds::in_order();
        let placeholders = row.bind_values(&mut binds);
        assert_eq!(placeholders.matches('?').count(), UPSERT_ROW_COLUMNS.len());
        for ((name, _), bound) in UPSERT_ROW_COLUMNS.iter().zip(binds.values()) {
            let expected = match &object[name] {
                serde_json::Value::Null => "null".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let got = match bound {
                Bind::Text(s) => s.clone(),
                Bind::Int(i) => i.to_string(),
                Bind::Bool(b) => b.to_string(),
                Bind::Float(f) => f.to_string(),
                Bind::Null(_) => "null".to_owned(),
            };
            assert_eq!(got, expected, "column {name}");
        }
    }
}
