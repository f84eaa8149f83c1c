//! Contact rows as stored, both ways: [`UpsertRow`] binds a [`NewContact`], [`ContactRow`] reads one back
//! through the same parsers (email, date, property values) that checked it on the way in.

use crate::storage::{StorageError, WorkspaceId};
use shared::contact::custom::PropertyValue;
use shared::contact::date::CalendarDate;
use shared::contact::query::{ContactCursor, ContactSort};
use shared::contact::{Contact, NewContact};
use shared::EmailAddress;
use std::collections::BTreeMap;

pub(super) const CONTACT_COLUMNS: &str = "id, email, first_name, last_name, phone, mobile, company, \
    job_title, street, city, region, postcode, country, date_of_birth, marketing_opt_in, \
    marketing_opt_in_at, source_hub, source_campaign, tags, custom, sort_name, created_at, updated_at";

/// One contact's binds for the upsert, in `UPSERT_COLUMNS` order (text fields in `ContactText` order).
pub(super) struct UpsertRow {
    pub workspace_id: i64,
    pub email: String,
    /// first, last, phone, mobile, company, job title, street, city, region, postcode, country, source hub,
    /// source campaign.
    pub text: [Option<String>; 13],
    pub date_of_birth: Option<String>,
    pub marketing_opt_in: Option<bool>,
    pub marketing_opt_in_at: Option<i64>,
    pub tags: Option<String>,
    pub custom: Option<String>,
    pub name_key: String,
    pub sort_name: String,
    pub now: i64,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl UpsertRow {
    pub fn new(workspace: WorkspaceId, c: &NewContact, now: i64) -> Result<Self, StorageError> {
        let t = &c.text;
        let first = t.first_name.clone().unwrap_or_default();
        let last = t.last_name.clone().unwrap_or_default();
        Ok(Self {
            workspace_id: workspace.0,
            email: c.email.as_str().to_owned(),
            text: [
                t.first_name.clone(),
                t.last_name.clone(),
                t.phone.clone(),
                t.mobile.clone(),
                t.company.clone(),
                t.job_title.clone(),
                t.street.clone(),
                t.city.clone(),
                t.region.clone(),
                t.postcode.clone(),
                t.country.clone(),
                t.source_hub.clone(),
                t.source_campaign.clone(),
            ],
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
            tags: c.tags.as_ref().map(json).transpose()?,
            custom: if c.custom.is_empty() {
                None
            } else {
                Some(json(&c.custom)?)
            },
            // ASCII lower-casing, as SQL's lower() does on both backends for updates.
            name_key: format!("{first} {last}").trim().to_ascii_lowercase(),
            sort_name: format!("{last} {first}").trim().to_ascii_lowercase(),
            now,
        })
    }
}

#[derive(sqlx::FromRow)]
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
