//! Rendering stored rows the way Salesforce returns them, including the
//! fields it computes (Id, Name, audit dates, IsDeleted).

use super::Org;
use crate::ids::make_id;
use crate::schema::FieldType;
use crate::store::value::create_default;
use crate::store::{Row, Val};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Salesforce's REST datetime form: `2024-05-01T12:00:00.000+0000`.
pub fn format_datetime(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
    );
    t.format(&fmt).unwrap_or_default()
}

impl Org {
    /// A field's value on a row, computed fields included; `None` is null.
    pub fn field_val<'a>(
        &self,
        obj: usize,
        idx: u32,
        row: &'a Row,
        field: usize,
    ) -> Option<Cow<'a, Val>> {
        let o = &self.objects[obj];
        let text = |s: String| Some(Cow::Owned(Val::Text(s.into_boxed_str())));
        match o.schema.fields[field].name.as_str() {
            "Id" => text(make_id(&o.schema.key_prefix, idx as u64)),
            "IsDeleted" => Some(Cow::Owned(Val::Bool(row.deleted))),
            "Name" => {
                let part = |n: &str| {
                    o.schema
                        .field_index(n)
                        .and_then(|i| row.get(i))
                        .and_then(Val::as_text)
                        .unwrap_or("")
                        .to_owned()
                };
                let name = format!("{} {}", part("FirstName"), part("LastName"))
                    .trim()
                    .to_owned();
                text(name)
            }
            "CreatedDate" => text(format_datetime(row.created_ms)),
            "LastModifiedDate" | "SystemModstamp" => text(format_datetime(row.modified_ms)),
            "CreatedById" | "LastModifiedById" => text(self.creator_id(row)),
            "OwnerId" => match row.get(field) {
                Some(v) => Some(Cow::Borrowed(v)),
                None => text(self.creator_id(row)),
            },
            _ => match row.get(field) {
                Some(v) => Some(Cow::Borrowed(v)),
                // Non-nillable defaulted fields are stored only when changed.
                None if !o.schema.fields[field].nillable => {
                    create_default(&o.schema.fields[field]).map(Cow::Owned)
                }
                None => None,
            },
        }
    }

    /// Address compounds (`MailingAddress`, Lead `Address`) as Salesforce
    /// renders them: an object built from the component fields, or null.
    fn compound_json(&self, obj: usize, row: &Row, field: usize) -> Value {
        let schema = &self.objects[obj].schema;
        let Some(prefix) = schema.fields[field].name.strip_suffix("Address") else {
            return Value::Null;
        };
        let parts = [
            ("street", "Street"),
            ("city", "City"),
            ("state", "State"),
            ("postalCode", "PostalCode"),
            ("country", "Country"),
            ("latitude", "Latitude"),
            ("longitude", "Longitude"),
            ("geocodeAccuracy", "GeocodeAccuracy"),
        ];
        let mut m = Map::new();
        let mut any = false;
        for (key, suffix) in parts {
            let v = schema
                .field_index(&format!("{prefix}{suffix}"))
                .and_then(|i| row.get(i))
                .map(Val::to_json)
                .unwrap_or(Value::Null);
            any |= !v.is_null();
            m.insert(key.to_owned(), v);
        }
        if any {
            Value::Object(m)
        } else {
            Value::Null
        }
    }

    fn creator_id(&self, row: &Row) -> String {
        self.users
            .get(row.creator as usize)
            .or(self.users.first())
            .map(|u| u.id.clone())
            .unwrap_or_default()
    }

    pub fn record_url(&self, obj: usize, idx: u32, version: &str) -> String {
        let o = &self.objects[obj];
        format!(
            "/services/data/v{version}/sobjects/{}/{}",
            o.schema.name,
            make_id(&o.schema.key_prefix, idx as u64)
        )
    }

    /// `{"attributes": {"type", "url"}, field: value, …}` for the given fields.
    pub fn record_json(&self, obj: usize, idx: u32, fields: &[usize], version: &str) -> Value {
        let o = &self.objects[obj];
        let mut m = Map::with_capacity(fields.len() + 1);
        m.insert(
            "attributes".to_owned(),
            serde_json::json!({"type": o.schema.name, "url": self.record_url(obj, idx, version)}),
        );
        if let Some(row) = o.table.row(idx) {
            for &f in fields {
                let v = if o.schema.fields[f].ftype == FieldType::Compound {
                    self.compound_json(obj, row, f)
                } else {
                    self.field_val(obj, idx, row, f)
                        .map(|v| v.to_json())
                        .unwrap_or(Value::Null)
                };
                m.insert(o.schema.fields[f].name.clone(), v);
            }
        }
        Value::Object(m)
    }

    /// Every field the describe lists, for `GET /sobjects/{type}/{id}`.
    pub fn full_record_json(&self, obj: usize, idx: u32, version: &str) -> Value {
        let all: Vec<usize> = (0..self.objects[obj].schema.fields.len()).collect();
        self.record_json(obj, idx, &all, version)
    }
}
