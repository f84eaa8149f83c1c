//! What the lookup found in the CRM, by match key: the records a contact matches, each with its `Id`,
//! `LastModifiedDate` and the current values of the mapped fields (which the overwrite rules need).

use crate::salesforce::query::Record;
use serde_json::Value;
use std::collections::HashMap;

/// A match value as it is compared: trimmed and lower-cased.
///
/// Lower-casing every text key, not only emails, mirrors SOQL: `=` and `IN` compare case-insensitively
/// (doc §4.3), so the lookup for `abc-1` also returns a record holding `ABC-1`. Comparing exactly here would
/// call that record "no match" and insert a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MatchKey(String);

impl MatchKey {
    /// The key of a value as sent to or read from Salesforce; `None` for null or blank, which match nothing.
    pub fn of(value: &Value) -> Option<Self> {
        let key = match value {
            Value::String(s) => s.trim().to_lowercase(),
            // Through f64 so that Salesforce's `42.0` and our `42` meet.
            Value::Number(n) => n.as_f64()?.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!key.is_empty()).then_some(Self(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One CRM record a lookup returned.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmRecord {
    pub id: String,
    /// `LastModifiedDate` as Salesforce returns it (`2024-05-01T10:00:00.000+0000`). It is always UTC and
    /// fixed width, so text order is time order and "most recent" needs no date parsing.
    pub last_modified: String,
    /// The selected fields' current values by API name; a field that is empty in Salesforce is `null`.
    pub values: Record,
}

impl CrmRecord {
    /// Takes a SOQL row apart; `None` without an `Id`. A missing `LastModifiedDate` sorts as oldest.
    pub fn from_query(mut row: Record) -> Option<Self> {
        row.remove("attributes");
        let id = take_string(&mut row, "Id")?;
        let last_modified = take_string(&mut row, "LastModifiedDate").unwrap_or_default();
        Some(Self {
            id,
            last_modified,
            values: row,
        })
    }

    /// The current value of `field`, matching the API name ignoring case as Salesforce does. `None` means
    /// the lookup did not select the field (unknown), which is not the same as `Some(Value::Null)` (empty).
    pub fn value(&self, field: &str) -> Option<&Value> {
        self.values.get(field).or_else(|| {
            self.values
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(field))
                .map(|(_, v)| v)
        })
    }
}

fn take_string(row: &mut Record, field: &str) -> Option<String> {
    let key = row.keys().find(|k| k.eq_ignore_ascii_case(field))?.clone();
    match row.remove(&key)? {
        Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

/// Lookup results by match key. Chunked lookups may return a record twice; it is kept once.
#[derive(Debug, Clone, Default)]
pub struct CrmIndex {
    by_key: HashMap<MatchKey, Vec<CrmRecord>>,
}

impl CrmIndex {
    /// Files each record under the key of its `match_field` value; records with no value there are dropped
    /// (no contact can match them).
    pub fn new(match_field: &str, records: impl IntoIterator<Item = CrmRecord>) -> Self {
        let mut by_key: HashMap<MatchKey, Vec<CrmRecord>> = HashMap::new();
        for record in records {
            let Some(key) = record.value(match_field).and_then(MatchKey::of) else {
                continue;
            };
            let found = by_key.entry(key).or_default();
            if !found.iter().any(|r| r.id == record.id) {
                found.push(record);
            }
        }
        Self { by_key }
    }

    /// The records matching `key`; empty when none do.
    pub fn matches(&self, key: &MatchKey) -> &[CrmRecord] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(value: Value) -> Record {
        match value {
            Value::Object(map) => map,
            _ => Record::new(),
        }
    }

    #[test]
    fn keys_ignore_case_and_surrounding_space_and_blanks_match_nothing() {
        assert_eq!(
            MatchKey::of(&json!(" Ada@Example.com ")),
            MatchKey::of(&json!("ada@example.com"))
        );
        assert_eq!(MatchKey::of(&json!(42.0)), MatchKey::of(&json!(42)));
        assert_eq!(MatchKey::of(&json!("  ")), None);
        assert_eq!(MatchKey::of(&Value::Null), None);
    }

    #[test]
    fn a_soql_row_becomes_a_record_and_is_indexed_once_by_its_match_value() {
        let soql = row(json!({
            "attributes": {"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/003A"},
            "Id": "003A", "LastModifiedDate": "2024-05-01T10:00:00.000+0000",
            "Email": "ADA@example.com", "FirstName": null
        }));
        let record = CrmRecord::from_query(soql).expect("has an Id");
        assert_eq!(record.id, "003A");
        assert_eq!(record.last_modified, "2024-05-01T10:00:00.000+0000");
        assert_eq!(record.value("firstname"), Some(&Value::Null));
        assert_eq!(record.value("LastName"), None, "not selected: unknown");
        assert!(record.values.get("attributes").is_none());

        let index = CrmIndex::new("email", [record.clone(), record]);
        let key = MatchKey::of(&json!("ada@example.com")).expect("key");
        assert_eq!(index.matches(&key).len(), 1);
        let other = MatchKey::of(&json!("bob@example.com")).expect("key");
        assert!(index.matches(&other).is_empty());
        assert!(CrmRecord::from_query(row(json!({"Email": "x@y.com"}))).is_none());
    }
}
