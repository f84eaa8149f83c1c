//! The one way a statement in `storage/` gets its values: [`Binds`] numbers the `$n` placeholders as the SQL
//! is written, and [`JsonRows`] carries a whole set of rows (or a list of keys) as **one** parameter.
//!
//! Why one parameter for many rows: sqlx's SQLite driver asks SQLite for each parameter's name when it binds,
//! and SQLite finds a name by walking the statement's parameter list, so a statement with N parameters costs
//! N² (a 500-row insert of 24 columns, 12,000 parameters, spent 70 % of a push in
//! `sqlite3_bind_parameter_name`). A JSON array bound once and expanded inside the statement —
//! `json_each` on SQLite, `json_to_recordset` / `json_array_elements_text` on PostgreSQL — costs one bind
//! and one parse, whatever the number of rows, and keeps one statement text per shape (so it stays in the
//! prepared-statement cache instead of one text per row count).
//!
//! Counting placeholders by hand (`first = if retry {5} else {4}`) is how a query silently binds the wrong
//! value to the wrong column; with [`Binds`] the number is whatever the value got when it was added.

use super::{Storage, StorageError};
use serde::Serialize;

/// Which SQL dialect a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Storage {
    pub fn dialect(&self) -> Dialect {
        match self {
            Storage::Sqlite(_) => Dialect::Sqlite,
            Storage::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// A value to bind, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Float(f64),
    Int(i64),
    Bool(bool),
    /// SQL null, typed so PostgreSQL knows the parameter's type.
    Null(SqlType),
}

/// One statement's values in placeholder order. Each method adds a value and returns the `$n` to write
/// into the SQL where it belongs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Binds {
    values: Vec<Bind>,
    in_order: bool,
}

impl Binds {
    pub fn new() -> Self {
        Self::default()
    }

    /// SQLite only: every placeholder is a bare `?`, so each value must be written into the SQL exactly
    /// once, in the order it was added. Why: SQLite keeps a list of a statement's *named* placeholders
    /// (`$n`, `?n`) and sqlx looks up each one's name, a walk of that list, so `$n` placeholders cost N²
    /// per execution; a statement with only bare `?` has no such list. Short multi-row `values (…)`
    /// statements use it where a JSON row set would cost a parse per row (the contact upsert).
    pub fn in_order() -> Self {
        Self {
            values: Vec::new(),
            in_order: true,
        }
    }

    /// Adds any value; the typed helpers below read better at the call site.
    pub fn bind(&mut self, value: Bind) -> String {
        self.values.push(value);
        if self.in_order {
            "?".to_owned()
        } else {
            format!("${}", self.values.len())
        }
    }

    pub fn int(&mut self, value: i64) -> String {
        self.bind(Bind::Int(value))
    }

    pub fn text(&mut self, value: impl Into<String>) -> String {
        self.bind(Bind::Text(value.into()))
    }

    /// Any serializable value as a JSON text parameter.
    ///
    /// # Errors
    /// `Corrupt` when it does not serialize (never, for the plain values storage passes).
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<String, StorageError> {
        let text = serde_json::to_string(value)
            .map_err(|e| StorageError::Corrupt(format!("value to bind: {e}")))?;
        Ok(self.text(text))
    }

    pub fn values(&self) -> &[Bind] {
        &self.values
    }

    /// A set of rows as one JSON parameter, read back as a row source with `columns` (see [`JsonRows`]).
    ///
    /// # Errors
    /// As [`Self::json`].
    pub fn rows<T: Serialize>(
        &mut self,
        dialect: Dialect,
        rows: &[T],
        columns: &[(&str, SqlType)],
    ) -> Result<String, StorageError> {
        let param = self.json(rows)?;
        Ok(JsonRows::source(dialect, &param, columns))
    }

    /// `select <lead>, <columns> from <rows> r where true`: a set of rows as an insert's source, each row
    /// after the values in `lead` (placeholders bound once, such as the run). Insert into
    /// `(<lead columns>, `[`column_names`]`(columns))`. `where true`: without it SQLite would read an
    /// `on conflict` after the select as the select's join constraint.
    ///
    /// # Errors
    /// As [`Self::rows`].
    pub fn insert_source<T: Serialize>(
        &mut self,
        dialect: Dialect,
        lead: &[&str],
        rows: &[T],
        columns: &[(&str, SqlType)],
    ) -> Result<String, StorageError> {
        let source = self.rows(dialect, rows, columns)?;
        let mut picked: Vec<&str> = lead.to_vec();
        picked.extend(columns.iter().map(|(name, _)| *name));
        Ok(format!(
            "select {} from ({source}) r where true",
            picked.join(", ")
        ))
    }

    /// A list of values as one JSON parameter, read back as a one-column subquery for `in (…)`.
    ///
    /// # Errors
    /// As [`Self::rows`].
    pub fn list<T: Serialize>(
        &mut self,
        dialect: Dialect,
        values: &[T],
        ty: SqlType,
    ) -> Result<String, StorageError> {
        let param = self.json(values)?;
        Ok(JsonRows::list(dialect, &param, ty))
    }
}

/// Binds every value of a [`Binds`] to a sqlx query (`query`, `query_as` or `query_scalar`, either
/// database), in order. A macro because each database's query type is its own.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for value in $binds.values() {
            query = match value {
                $crate::storage::binds::Bind::Text(v) => query.bind(v.clone()),
                $crate::storage::binds::Bind::Float(v) => query.bind(*v),
                $crate::storage::binds::Bind::Int(v) => query.bind(*v),
                $crate::storage::binds::Bind::Bool(v) => query.bind(*v),
                $crate::storage::binds::Bind::Null(ty) => match ty {
                    $crate::storage::binds::SqlType::Int => query.bind(None::<i64>),
                    $crate::storage::binds::SqlType::Text => query.bind(None::<String>),
                    $crate::storage::binds::SqlType::Bool => query.bind(None::<bool>),
                },
            };
        }
        query
    }};
}
pub(crate) use bind_all;

/// The names of a row set's `columns`, comma-separated: the column list of an insert from
/// [`Binds::insert_source`].
pub fn column_names(columns: &[(&str, SqlType)]) -> String {
    columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column's type inside a JSON row set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Int,
    Text,
    Bool,
}

impl SqlType {
    fn postgres(self) -> &'static str {
        match self {
            SqlType::Int => "bigint",
            SqlType::Text => "text",
            SqlType::Bool => "boolean",
        }
    }
}

/// How a JSON parameter becomes rows inside a statement.
pub struct JsonRows;

impl JsonRows {
    /// `select <columns> from <the JSON array of objects at param>`: each object's keys are the columns.
    /// SQLite's `->>` gives JSON true/false as 1/0, which is how it stores booleans anyway.
    pub fn source(dialect: Dialect, param: &str, columns: &[(&str, SqlType)]) -> String {
        match dialect {
            Dialect::Sqlite => {
                let picked: Vec<String> = columns
                    .iter()
                    .map(|(name, _)| format!("j.value ->> '{name}' as {name}"))
                    .collect();
                format!("select {} from json_each({param}) j", picked.join(", "))
            }
            Dialect::Postgres => {
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                let typed: Vec<String> = columns
                    .iter()
                    .map(|(name, ty)| format!("{name} {}", ty.postgres()))
                    .collect();
                format!(
                    "select {} from json_to_recordset({param}::json) as j({})",
                    names.join(", "),
                    typed.join(", ")
                )
            }
        }
    }

    /// `select value from <the JSON array of scalars at param>`, for `x in (…)`.
    pub fn list(dialect: Dialect, param: &str, ty: SqlType) -> String {
        match dialect {
            Dialect::Sqlite => format!("select value from json_each({param})"),
            Dialect::Postgres => format!(
                "select value::{} from json_array_elements_text({param}::json)",
                ty.postgres()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_added() {
        let mut binds = Binds::new();
        assert_eq!(binds.int(7), "$1");
        assert_eq!(binds.text("ada"), "$2");
        assert_eq!(binds.values(), [Bind::Int(7), Bind::Text("ada".into())]);
    }

    #[test]
    fn in_order_placeholders_are_bare() {
        let mut binds = Binds::in_order();
        assert_eq!(binds.int(7), "?");
        assert_eq!(binds.bind(Bind::Null(SqlType::Text)), "?");
        assert_eq!(binds.values(), [Bind::Int(7), Bind::Null(SqlType::Text)]);
    }

    #[derive(Serialize)]
    struct Row {
        id: i64,
        email: &'static str,
    }

    #[test]
    fn a_row_set_is_one_parameter_however_many_rows() {
        let rows: Vec<Row> = (0..1000)
            .map(|id| Row {
                id,
                email: "a@example.com",
            })
            .collect();
        let columns = [("id", SqlType::Int), ("email", SqlType::Text)];
        let mut binds = Binds::new();
        let source = binds
            .rows(Dialect::Postgres, &rows, &columns)
            .expect("rows");
        assert_eq!(binds.values().len(), 1);
        assert_eq!(
            source,
            "select id, email from json_to_recordset($1::json) as j(id bigint, email text)"
        );
        let source = binds.rows(Dialect::Sqlite, &rows, &columns).expect("rows");
        assert_eq!(
            source,
            "select j.value ->> 'id' as id, j.value ->> 'email' as email from json_each($2) j"
        );
        let list = binds
            .list(Dialect::Postgres, &[1_i64, 2], SqlType::Int)
            .expect("list");
        assert_eq!(
            list,
            "select value::bigint from json_array_elements_text($3::json)"
        );
    }
}
