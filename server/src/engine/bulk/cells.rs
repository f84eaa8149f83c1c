//! Values ↔ Bulk CSV cells, and the join keys that tie a result row back to its staged write. Pure.
//!
//! **The join.** Bulk results come back per file (successful, failed, unprocessed) in no guaranteed order,
//! each row carrying the columns we uploaded. A staged write is found again by a key that is unique within
//! its job:
//! - an update by its record `Id` (the `Id` column): match keys are unique among a run's staged writes
//!   (a second contact with the same key is deferred), and a record has one match value, so no record is
//!   written twice in one job;
//! - an insert by its match value, and an upsert by its External ID value (the match field's column),
//!   trimmed and lower-cased as [`join_key`] does — unique for the same reason.
//!
//! Both sides compute the key from the *cell text* we wrote, so a number sent as `42.0` and echoed as
//! `42.0` meet, whatever the typed value was.

use crate::engine::index::{CrmRecord, MatchKey};
use crate::engine::plan::Planner;
use crate::salesforce::bulk::CsvRow;
use crate::salesforce::query::Record;
use crate::storage::runs::bulk::index::IndexRow;
use crate::storage::runs::bulk::Operation;
use serde_json::Value;

/// Bulk's marker for "clear this field" on update; an empty cell leaves the field alone (doc §6.1).
pub const CLEAR: &str = "#N/A";

/// A value as a CSV cell. Null and blank text clear the field on update and upsert (`#N/A`); on insert an
/// empty cell already means "not set". Mapped values are never blank, so this is defensive.
pub fn cell(value: &Value, operation: Operation) -> String {
    let blank = || {
        if operation == Operation::Insert {
            String::new()
        } else {
            CLEAR.to_owned()
        }
    };
    match value {
        Value::Null => blank(),
        Value::String(s) if s.trim().is_empty() => blank(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The join key of a cell: trimmed and lower-cased, as Salesforce compares match values.
pub fn join_key(cell: &str) -> String {
    cell.trim().to_lowercase()
}

/// The CSV columns of a job: `Id` for an update, then the match field (an insert needs it so the next run
/// finds the record; an upsert keys on it), then every mapped field, each once.
pub fn header(planner: &Planner, operation: Operation) -> Vec<String> {
    let mapper = planner.mapper();
    let mut columns: Vec<String> = Vec::new();
    if operation == Operation::Update {
        columns.push("Id".into());
    }
    let named = std::iter::once(mapper.match_field()).chain(mapper.fields());
    for field in named {
        if operation == Operation::Update
            && field.name.eq_ignore_ascii_case(&mapper.match_field().name)
        {
            // An update writes the match field only if a mapping targets it; it is then in `fields()`.
            if !mapper
                .fields()
                .any(|f| f.name.eq_ignore_ascii_case(&field.name))
            {
                continue;
            }
        }
        if !columns.iter().any(|c| c.eq_ignore_ascii_case(&field.name)) {
            columns.push(field.name.clone());
        }
    }
    columns
}

/// One CSV row for `payload` under `header`; the `Id` column takes `id`.
pub fn row(header: &[String], payload: &Record, id: &str, operation: Operation) -> Vec<String> {
    header
        .iter()
        .map(|column| {
            if column == "Id" {
                return id.to_owned();
            }
            payload
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(column))
                .map_or_else(String::new, |(_, value)| cell(value, operation))
        })
        .collect()
}

/// The join key of a staged write: see the module docs.
pub fn staged_join_key(
    operation: Operation,
    payload: &Record,
    key_field: &str,
    id: &str,
) -> String {
    match operation {
        Operation::Update => id.to_owned(),
        _ => payload
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key_field))
            .map(|(_, value)| join_key(&cell(value, operation)))
            .unwrap_or_default(),
    }
}

/// The join key of a result row: its `Id` column for an update, its key field's column otherwise.
pub fn result_join_key(operation: Operation, row: &CsvRow, key_field: &str) -> Option<String> {
    match operation {
        Operation::Update => row.get_ignore_case("Id").map(str::to_owned),
        _ => row.get_ignore_case(key_field).map(join_key),
    }
}

/// A query CSV cell as the JSON value a SOQL answer would have held, by the field's Salesforce type, so
/// the overwrite rules compare the same either way: empty is null, checkboxes are booleans, numbers are
/// numbers.
pub fn typed(text: &str, field_type: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    match field_type {
        "boolean" => Value::Bool(text.eq_ignore_ascii_case("true")),
        "double" | "int" | "long" | "currency" | "percent" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        _ => Value::String(text.to_owned()),
    }
}

/// The columns the index query selects, each with its Salesforce type: [`Planner::lookup_fields`].
pub fn index_columns(planner: &Planner) -> Vec<(String, String)> {
    let mapper = planner.mapper();
    planner
        .lookup_fields()
        .into_iter()
        .map(|name| {
            let field_type = std::iter::once(mapper.match_field())
                .chain(mapper.fields())
                .find(|f| f.name.eq_ignore_ascii_case(&name))
                .map_or_else(
                    || {
                        if name == "LastModifiedDate" {
                            "datetime".to_owned()
                        } else {
                            "id".to_owned()
                        }
                    },
                    |f| f.field_type.clone(),
                );
            (name, field_type)
        })
        .collect()
}

/// A row of the index query as an index row; `None` without an `Id` or a match value.
pub fn index_row(
    row: &CsvRow,
    columns: &[(String, String)],
    match_field: &str,
) -> Option<IndexRow> {
    let mut record = Record::new();
    for (name, field_type) in columns {
        let text = row.get_ignore_case(name).unwrap_or_default();
        record.insert(name.clone(), typed(text, field_type));
    }
    let crm = CrmRecord::from_query(record)?;
    let key = crm.value(match_field).and_then(MatchKey::of)?;
    Some(IndexRow {
        match_key: key.as_str().to_owned(),
        crm_id: crm.id.clone(),
        last_modified: crm.last_modified.clone(),
        record: Value::Object(crm.values).to_string(),
    })
}

/// An index row back as the record the planner decides with.
pub fn index_record(row: IndexRow) -> CrmRecord {
    let values = match serde_json::from_str::<Value>(&row.record) {
        Ok(Value::Object(values)) => values,
        _ => Record::new(),
    };
    CrmRecord {
        id: row.crm_id,
        last_modified: row.last_modified,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::bulk::CsvRows;
    use serde_json::json;

    #[test]
    fn cells_clear_only_on_update_and_numbers_keep_their_spelling() {
        assert_eq!(cell(&json!("Ada"), Operation::Insert), "Ada");
        assert_eq!(cell(&Value::Null, Operation::Insert), "");
        assert_eq!(cell(&Value::Null, Operation::Update), CLEAR);
        assert_eq!(cell(&json!(" "), Operation::Upsert), CLEAR);
        assert_eq!(cell(&json!(42.5), Operation::Update), "42.5");
        assert_eq!(cell(&json!(true), Operation::Update), "true");
    }

    #[test]
    fn both_sides_of_the_join_compute_the_same_key() {
        let payload: Record = json!({"Email": " Ada@Example.com", "LastName": "Lovelace"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let staged = staged_join_key(Operation::Insert, &payload, "email", "");
        let body = "\"sf__Id\",\"sf__Created\",\"Email\",\"LastName\"\n\"003A\",\"true\",\" Ada@Example.com\",\"Lovelace\"\n";
        let rows: Vec<CsvRow> = CsvRows::new(body.as_bytes(), b',')
            .expect("csv")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            result_join_key(Operation::Insert, &rows[0], "Email").as_deref(),
            Some(staged.as_str())
        );
        assert_eq!(staged, "ada@example.com");
        assert_eq!(
            staged_join_key(Operation::Update, &payload, "Email", "003B"),
            "003B"
        );
    }

    #[test]
    fn query_cells_become_the_values_soql_would_give() {
        assert_eq!(typed("", "string"), Value::Null);
        assert_eq!(typed("true", "boolean"), json!(true));
        assert_eq!(typed("42", "double"), json!(42.0));
        assert_eq!(typed("x", "double"), json!("x"));
        assert_eq!(typed("Ada", "string"), json!("Ada"));

        let body = "\"Id\",\"LastModifiedDate\",\"Email\",\"FirstName\"\n\"003A\",\"2024-05-01T10:00:00.000Z\",\"ADA@example.com\",\"\"\n\"003B\",\"x\",\"\",\"Bob\"\n";
        let rows: Vec<CsvRow> = CsvRows::new(body.as_bytes(), b',')
            .expect("csv")
            .collect::<Result<_, _>>()
            .expect("rows");
        let columns = vec![
            ("Id".to_owned(), "id".to_owned()),
            ("LastModifiedDate".to_owned(), "datetime".to_owned()),
            ("Email".to_owned(), "email".to_owned()),
            ("FirstName".to_owned(), "string".to_owned()),
        ];
        let row = index_row(&rows[0], &columns, "Email").expect("indexed");
        assert_eq!(row.match_key, "ada@example.com");
        assert_eq!(row.crm_id, "003A");
        let record = index_record(row);
        assert_eq!(record.value("FirstName"), Some(&Value::Null));
        assert_eq!(record.value("Email"), Some(&json!("ADA@example.com")));
        assert!(
            index_row(&rows[1], &columns, "Email").is_none(),
            "no match value"
        );
    }
}
