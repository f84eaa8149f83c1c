//! SQLite: a page of rows read as **one** JSON value, the read-side twin of [`super::binds`]'s row sets.
//!
//! Why: sqlx's SQLite driver runs each statement on a worker thread and hands every row to the async side
//! over a channel, copying each column into an owned value on the way (`sqlite3_value_dup`, a `malloc`
//! per column). For the engine's pages of thousands of wide rows that cost is most of the read:
//! `perf` on a re-run at 200,000 contacts put malloc / free at ~20 % of all samples and the thread hand-offs
//! (`finish_task_switch`, futex wake-ups) at ~14 %, while SQLite's own work was a fraction; reading a
//! million contacts with their push state took 18 s against 2.7 s for the same query from Python's
//! `sqlite3`. Folding the page into one `json_group_array` value costs SQLite a little text building and
//! the driver one row and one copy per page; serde reads it straight into the row types.
//!
//! PostgreSQL sends rows over its wire protocol without these costs, so it reads rows as usual.

use super::StorageError;
use serde::de::DeserializeOwned;

/// Wraps `inner` so it returns one row: a JSON array with an array per row. Each of `groups` is a
/// comma-separated list of `inner`'s result columns, written as in its select (a table qualifier such as
/// `s.` is dropped), and becomes one nested array, in order — so a row type made of parts (a contact and
/// its push state) reads as a tuple of them, and the lists stay the ones the select is written from.
pub fn sqlite_page_sql(inner: &str, groups: &[&str]) -> String {
    let parts: Vec<String> = groups
        .iter()
        .map(|columns| {
            let names: Vec<&str> = columns
                .split(',')
                .map(|column| column.trim().rsplit('.').next().unwrap_or_default())
                .collect();
            format!("json_array({})", names.join(", "))
        })
        .collect();
    format!(
        "select json_group_array(json_array({})) from ({inner})",
        parts.join(", ")
    )
}

/// Reads the page `sqlite_page_sql` returned.
///
/// # Errors
/// `Corrupt` when the JSON does not fit `T`.
pub fn parse_page<T: DeserializeOwned>(json: &str) -> Result<Vec<T>, StorageError> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt(format!("page of rows: {e}")))
}

/// SQLite stores booleans as 0 / 1, which `json_array` writes as numbers: a boolean column read through a
/// JSON page takes either form.
pub mod bool_or_int {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Bool(bool),
        Int(i64),
    }

    /// For `bool` fields (`#[serde(deserialize_with = …)]`).
    ///
    /// # Errors
    /// When the value is neither a boolean nor an integer.
    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Bool(b) => b,
            Stored::Int(i) => i != 0,
        })
    }

    /// For `Option<bool>` fields (`#[serde(deserialize_with = …)]`).
    ///
    /// # Errors
    /// When the value is neither a boolean nor an integer.
    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(
            Option::<Stored>::deserialize(d)?.map(|stored| match stored {
                Stored::Bool(b) => b,
                Stored::Int(i) => i != 0,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_become_nested_arrays_in_order() {
        assert_eq!(
            sqlite_page_sql("select t.a, b, u.c from t, u", &["t.a, b", "u.c"]),
            "select json_group_array(json_array(json_array(a, b), json_array(c))) from (select t.a, b, u.c from t, u)"
        );
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Row {
        id: i64,
        #[serde(deserialize_with = "bool_or_int::optional")]
        flag: Option<bool>,
        name: Option<String>,
    }

    #[test]
    fn a_page_reads_rows_as_sequences_with_stored_booleans() {
        let rows: Vec<(Row,)> =
            parse_page(r#"[[[1, 1, "a"]], [[2, null, null]], [[3, false, "c"]]]"#).expect("page");
        let rows: Vec<Row> = rows.into_iter().map(|(r,)| r).collect();
        assert_eq!(
            rows,
            [
                Row {
                    id: 1,
                    flag: Some(true),
                    name: Some("a".into())
                },
                Row {
                    id: 2,
                    flag: None,
                    name: None
                },
                Row {
                    id: 3,
                    flag: Some(false),
                    name: Some("c".into())
                },
            ]
        );
        assert!(parse_page::<(Row,)>("[[[1, \"yes\", null]]]").is_err());
    }
}
