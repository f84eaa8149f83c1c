//! A data extension: its fields and rows, and what one row write does to it.
//!
//! Rows are kept in insertion order (pages read back in it); a data extension with a primary key also
//! keeps an index from the key — compared case-insensitively, as SQL Server's default collation does
//! [unverified] — to the row.

use crate::fields::{FieldError, FieldSpec};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A field with the identity the REST describe shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: String,
    pub spec: FieldSpec,
}

#[derive(Debug, Clone)]
pub struct DataExtension {
    /// The GUID (`ObjectID` in SOAP, `id` in REST).
    pub object_id: String,
    /// The external key (`CustomerKey`).
    pub customer_key: String,
    pub name: String,
    pub is_sendable: bool,
    /// The column related to the subscriber (`SendableDataExtensionField`) when sendable.
    pub sendable_field: Option<String>,
    pub fields: Vec<Field>,
    rows: Vec<Vec<Option<String>>>,
    by_key: HashMap<String, usize>,
}

/// Insert (async `POST`) or upsert (async `PUT`, the hub rowset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Insert,
    Upsert,
}

/// What one row of a write came to: an item of the async results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Ok {
        message: &'static str,
    },
    Error {
        message: String,
        errors: Vec<FieldError>,
    },
}

impl RowOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, RowOutcome::Ok { .. })
    }

    fn error(message: impl Into<String>, errors: Vec<FieldError>) -> Self {
        RowOutcome::Error {
            message: message.into(),
            errors,
        }
    }
}

impl DataExtension {
    pub fn new(object_id: String, customer_key: String, name: String, fields: Vec<Field>) -> Self {
        Self {
            object_id,
            customer_key,
            name,
            is_sendable: false,
            sendable_field: None,
            fields,
            rows: Vec::new(),
            by_key: HashMap::new(),
        }
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.spec.name.eq_ignore_ascii_case(name))
    }

    pub fn primary_key(&self) -> Vec<usize> {
        (0..self.fields.len())
            .filter(|i| self.fields[*i].spec.is_primary_key)
            .collect()
    }

    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The rows from `offset`, at most `limit`, as stored.
    pub fn rows(&self, offset: usize, limit: usize) -> &[Vec<Option<String>>] {
        let start = offset.min(self.rows.len());
        let end = start.saturating_add(limit).min(self.rows.len());
        &self.rows[start..end]
    }

    /// A stored row as `{column: value}` (a null as JSON null), for the control API and tests.
    pub fn row_object(&self, row: &[Option<String>]) -> Map<String, Value> {
        self.fields
            .iter()
            .zip(row)
            .map(|(f, v)| {
                (
                    f.spec.name.clone(),
                    v.clone().map_or(Value::Null, Value::String),
                )
            })
            .collect()
    }

    /// The row whose primary key is `key` (values in primary-key order).
    pub fn find(&self, key: &[&str]) -> Option<&[Option<String>]> {
        let joined = join_key(key.iter().copied());
        self.by_key.get(&joined).map(|i| self.rows[*i].as_slice())
    }

    /// Writes one row given as column → value, as the async rows API and the hub rowset do.
    pub fn write(&mut self, mode: WriteMode, item: &Map<String, Value>) -> RowOutcome {
        let mut values: Vec<Option<Option<String>>> = vec![None; self.fields.len()];
        let mut errors = Vec::new();
        for (column, value) in item {
            let Some(index) = self.field_index(column) else {
                errors.push(FieldError {
                    name: column.clone(),
                    code: 70004,
                    message: format!("The column [{column}] does not exist in the data extension."),
                });
                continue;
            };
            match self.fields[index].spec.store(value) {
                Ok(stored) => values[index] = Some(stored),
                Err(error) => errors.push(error),
            }
        }
        let pk = self.primary_key();
        if pk.is_empty() && mode == WriteMode::Upsert {
            return RowOutcome::error(
                "Cannot upsert into a data extension that has no primary key.",
                Vec::new(),
            );
        }
        let missing: Vec<FieldError> = pk
            .iter()
            .filter(|i| !matches!(values[**i], Some(Some(_))))
            .map(|i| self.fields[*i].spec.null_refused())
            .collect();
        if !missing.is_empty() {
            return RowOutcome::error(
                "Cannot locate the existing record. Required keys are missing.",
                missing,
            );
        }
        if let Some(first) = errors.first() {
            return RowOutcome::error(first.message.clone(), errors);
        }
        let key = (!pk.is_empty()).then(|| {
            join_key(
                pk.iter()
                    .map(|i| values[*i].as_ref().and_then(Option::as_deref).unwrap_or("")),
            )
        });
        match key.as_ref().and_then(|k| self.by_key.get(k)).copied() {
            Some(existing) if mode == WriteMode::Insert => {
                let shown: Vec<&str> = pk
                    .iter()
                    .filter_map(|i| self.rows[existing][*i].as_deref())
                    .collect();
                RowOutcome::error(
                    format!(
                        "Violation of PRIMARY KEY constraint 'PK_{}'. Cannot insert duplicate key in object \
                         'dbo.C{}'. The duplicate key value is ({}).",
                        self.object_id.replace('-', ""),
                        self.object_id.replace('-', ""),
                        shown.join(", ")
                    ),
                    Vec::new(),
                )
            }
            Some(existing) => self.update(existing, values),
            None => self.add(mode, key, values),
        }
    }

    fn update(&mut self, at: usize, values: Vec<Option<Option<String>>>) -> RowOutcome {
        let refused: Vec<FieldError> = values
            .iter()
            .enumerate()
            .filter(|(i, v)| matches!(v, Some(None)) && !self.fields[*i].spec.is_nullable)
            .map(|(i, _)| self.fields[i].spec.null_refused())
            .collect();
        if let Some(first) = refused.first() {
            return RowOutcome::error(first.message.clone(), refused);
        }
        // The key locates the row and is never rewritten (not even its case).
        for (i, value) in values.into_iter().enumerate() {
            if let Some(value) = value.filter(|_| !self.fields[i].spec.is_primary_key) {
                self.rows[at][i] = value;
            }
        }
        RowOutcome::Ok {
            message: "Upserted DataExtensionObject",
        }
    }

    fn add(
        &mut self,
        mode: WriteMode,
        key: Option<String>,
        values: Vec<Option<Option<String>>>,
    ) -> RowOutcome {
        let mut row = Vec::with_capacity(self.fields.len());
        let mut refused = Vec::new();
        for (field, value) in self.fields.iter().zip(values) {
            let value = match value {
                Some(value) => value,
                None => field
                    .spec
                    .default_value
                    .as_ref()
                    .and_then(|d| field.spec.store(&Value::String(d.clone())).ok().flatten()),
            };
            if value.is_none() && !field.spec.is_nullable {
                refused.push(field.spec.null_refused());
            }
            row.push(value);
        }
        if let Some(first) = refused.first() {
            return RowOutcome::error(first.message.clone(), refused);
        }
        if let Some(key) = key {
            self.by_key.insert(key, self.rows.len());
        }
        self.rows.push(row);
        RowOutcome::Ok {
            message: match mode {
                WriteMode::Insert => "Inserted DataExtensionObject",
                WriteMode::Upsert => "Upserted DataExtensionObject",
            },
        }
    }
}

fn join_key<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let parts: Vec<String> = parts.map(str::to_lowercase).collect();
    parts.join("\u{1f}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldType;
    use serde_json::json;

    fn field(name: &str, field_type: FieldType, pk: bool, nullable: bool) -> Field {
        Field {
            id: format!("id-{name}"),
            spec: FieldSpec {
                name: name.into(),
                field_type,
                length: None,
                scale: None,
                is_primary_key: pk,
                is_nullable: nullable && !pk,
                default_value: None,
            },
        }
    }

    fn contacts() -> DataExtension {
        DataExtension::new(
            "0b6f5a2e-0000-4000-8000-000000000001".into(),
            "Contacts".into(),
            "Contacts".into(),
            vec![
                field("ContactKey", FieldType::Text, true, false),
                field("Email", FieldType::EmailAddress, false, false),
                field("FirstName", FieldType::Text, false, true),
            ],
        )
    }

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn an_upsert_inserts_then_updates_only_the_columns_it_sends() {
        let mut de = contacts();
        let first = item(json!({"ContactKey": "K1", "Email": "a@x.io", "FirstName": "Ada"}));
        assert!(de.write(WriteMode::Upsert, &first).is_ok());
        let second = item(json!({"contactkey": "k1", "Email": "b@x.io"}));
        assert!(de.write(WriteMode::Upsert, &second).is_ok());
        assert_eq!(de.row_count(), 1);
        let row = de.find(&["K1"]).map(<[_]>::to_vec);
        assert_eq!(
            row,
            Some(vec![
                Some("K1".into()),
                Some("b@x.io".into()),
                Some("Ada".into())
            ])
        );
    }

    #[test]
    fn an_insert_of_a_key_that_exists_is_a_primary_key_violation() {
        let mut de = contacts();
        let row = item(json!({"ContactKey": "K1", "Email": "a@x.io"}));
        assert!(de.write(WriteMode::Insert, &row).is_ok());
        match de.write(WriteMode::Insert, &row) {
            RowOutcome::Error { message, .. } => {
                assert!(message.starts_with("Violation of PRIMARY KEY constraint"));
                assert!(message.ends_with("The duplicate key value is (K1)."));
            }
            ok => panic!("expected a violation, got {ok:?}"),
        }
    }

    #[test]
    fn missing_keys_required_values_and_unknown_columns_fail_the_row_with_their_names() {
        let mut de = contacts();
        let no_key = de.write(WriteMode::Upsert, &item(json!({"Email": "a@x.io"})));
        assert_eq!(
            no_key,
            RowOutcome::Error {
                message: "Cannot locate the existing record. Required keys are missing.".into(),
                errors: vec![FieldError {
                    name: "ContactKey".into(),
                    code: 70001,
                    message: "Column [ContactKey] does not allow null value.".into()
                }]
            }
        );
        let no_email = de.write(WriteMode::Upsert, &item(json!({"ContactKey": "K2"})));
        assert!(
            matches!(no_email, RowOutcome::Error { ref errors, .. } if errors[0].name == "Email")
        );
        let unknown = de.write(
            WriteMode::Upsert,
            &item(json!({"ContactKey": "K3", "Email": "c@x.io", "Shoe": "9"})),
        );
        assert!(matches!(unknown, RowOutcome::Error { ref errors, .. } if errors[0].code == 70004));
        assert_eq!(de.row_count(), 0);
    }
}
