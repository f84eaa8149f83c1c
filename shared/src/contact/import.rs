//! CSV import: which column feeds which field, and what the import page shows while a file imports.
//!
//! The mapping is chosen in the browser from the header row (auto-matched through
//! [`FieldCatalog::match_header`]) and parsed here once, against the catalog, before any row is read: a
//! file is refused up front when no column is the email, a column names a field that does not exist, or
//! two columns feed the same field.

use super::fields::{FieldCatalog, FieldDef};
use super::ContactInput;
use serde::{Deserialize, Serialize};

/// Why a chosen mapping cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("choose which column holds the email address")]
    NoEmail,
    #[error("\"{0}\" is not a contact field or custom property you can import")]
    UnknownField(String),
    #[error("two columns are mapped to \"{0}\"; choose one")]
    Twice(String),
    #[error("the file has no columns")]
    NoColumns,
}

/// For each column of the file, in order, the key of the field it sets, or `None` to skip it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportMapping {
    columns: Vec<Option<String>>,
}

impl ImportMapping {
    /// Parses the wire form: field keys in column order, comma-separated, blank for a skipped column.
    /// Keys are `[a-z0-9_]`, so a comma cannot be part of one.
    ///
    /// # Errors
    /// See [`MappingError`].
    pub fn parse(raw: &str, catalog: &FieldCatalog) -> Result<Self, MappingError> {
        if raw.is_empty() {
            return Err(MappingError::NoColumns);
        }
        let mut columns: Vec<Option<String>> = Vec::new();
        for key in raw.split(',').map(str::trim) {
            if key.is_empty() {
                columns.push(None);
                continue;
            }
            if !catalog.find(key).is_some_and(|f| f.writable) {
                return Err(MappingError::UnknownField(key.to_owned()));
            }
            if columns.iter().flatten().any(|k| k == key) {
                return Err(MappingError::Twice(key.to_owned()));
            }
            columns.push(Some(key.to_owned()));
        }
        if !columns.iter().flatten().any(|k| k == "email") {
            return Err(MappingError::NoEmail);
        }
        Ok(Self { columns })
    }

    /// The auto-matched mapping for a header row: each header's most likely field, each field used once
    /// (the first column that matches it wins).
    pub fn suggest(headers: &[String], catalog: &FieldCatalog) -> Vec<Option<String>> {
        let mut taken: Vec<&str> = Vec::new();
        headers
            .iter()
            .map(|h| {
                let field = catalog
                    .match_header(h)
                    .filter(|f| !taken.contains(&f.key.as_str()))?;
                taken.push(&field.key);
                Some(field.key.clone())
            })
            .collect()
    }

    /// The wire form [`ImportMapping::parse`] reads.
    pub fn to_wire(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.as_deref().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The column that feeds `key`, if any.
    pub fn column_of(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.as_deref() == Some(key))
    }

    /// The field key of each column, `None` where skipped.
    pub fn columns(&self) -> &[Option<String>] {
        &self.columns
    }

    /// One row's cells, in column order, as contact input. Cells of skipped columns are ignored; a row
    /// shorter than the header simply does not give the missing fields.
    pub fn input<'a>(&self, cells: impl IntoIterator<Item = &'a str>) -> ContactInput {
        let mut input = ContactInput::default();
        for (key, cell) in self.columns.iter().zip(cells) {
            if let Some(key) = key {
                input.set(key, cell.to_owned());
            }
        }
        input
    }
}

/// What the page shows after reading the start of a file: its header, the suggested mapping and the first
/// rows, with the fields a column may be mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub headers: Vec<String>,
    pub suggested: Vec<Option<String>>,
    pub rows: Vec<Vec<String>>,
    /// Writable fields only, standard then custom.
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Created; the file has not started arriving.
    Waiting,
    Running,
    Done,
    Failed,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Waiting => "waiting",
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Waiting, Self::Running, Self::Done, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn finished(self) -> bool {
        matches!(self, ImportState::Done | ImportState::Failed)
    }
}

/// One problem with one row of a file. `row` counts as a spreadsheet does: the header is row 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowError {
    pub row: u64,
    /// The row's email cell as given (it may be the problem).
    pub email: String,
    pub field: String,
    pub reason: String,
}

/// Counters an import keeps as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub bytes_read: u64,
    pub rows_read: u64,
    pub rows_saved: u64,
    pub rows_failed: u64,
}

/// An import as the page polls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStatus {
    pub id: i64,
    pub file_name: String,
    pub state: ImportState,
    pub total_bytes: u64,
    pub counts: ImportCounts,
    /// Why a failed import stopped; empty otherwise.
    pub message: String,
    /// The first few row errors; the full list is the downloadable report.
    pub first_errors: Vec<ImportRowError>,
}

impl ImportStatus {
    /// 0–100, by bytes read; 100 only once the import is done, so the bar never claims a finish early.
    pub fn percent(&self) -> u8 {
        if self.state == ImportState::Done {
            return 100;
        }
        if self.total_bytes == 0 {
            return 0;
        }
        let share = self.counts.bytes_read.saturating_mul(100) / self.total_bytes;
        u8::try_from(share.min(99)).unwrap_or(99)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::custom::CustomProperty;

    fn catalog() -> FieldCatalog {
        let size = CustomProperty::parse("shoe_size", "Shoe size", "number", "").expect("def");
        FieldCatalog::new(&[size])
    }

    #[test]
    fn headers_are_matched_once_each() {
        let headers: Vec<String> = ["E-mail", "First Name", "Email", "Shoe size", "Notes"]
            .map(String::from)
            .to_vec();
        let suggested = ImportMapping::suggest(&headers, &catalog());
        assert_eq!(
            suggested,
            [
                Some("email".to_owned()),
                Some("first_name".to_owned()),
                None,
                Some("shoe_size".to_owned()),
                None
            ]
        );
    }

    #[test]
    fn a_mapping_needs_an_email_and_known_fields_used_once() {
        let c = catalog();
        let m = ImportMapping::parse("email,,first_name,shoe_size", &c).expect("valid");
        assert_eq!(m.len(), 4);
        assert_eq!(m.to_wire(), "email,,first_name,shoe_size");
        assert_eq!(
            ImportMapping::parse("first_name,", &c),
            Err(MappingError::NoEmail)
        );
        assert_eq!(
            ImportMapping::parse("email,created_at", &c),
            Err(MappingError::UnknownField("created_at".into()))
        );
        assert_eq!(
            ImportMapping::parse("email,city,city", &c),
            Err(MappingError::Twice("city".into()))
        );
        assert_eq!(ImportMapping::parse("", &c), Err(MappingError::NoColumns));
    }

    #[test]
    fn cells_land_in_their_fields_and_skipped_columns_are_ignored() {
        let m = ImportMapping::parse("email,,city,tags,shoe_size", &catalog()).expect("valid");
        let input = m.input(["ada@example.com", "ignored", "London", "a;b", "42"]);
        assert_eq!(input.email, "ada@example.com");
        assert_eq!(
            input.standard.get("city").map(String::as_str),
            Some("London")
        );
        assert_eq!(input.tags, Some(vec!["a".into(), "b".into()]));
        assert_eq!(
            input.custom.get("shoe_size").map(String::as_str),
            Some("42")
        );
        assert_eq!(input.standard.len(), 1);
    }

    #[test]
    fn progress_reaches_100_only_when_done() {
        let mut status = ImportStatus {
            id: 1,
            file_name: "f.csv".into(),
            state: ImportState::Running,
            total_bytes: 200,
            counts: ImportCounts {
                bytes_read: 200,
                ..ImportCounts::default()
            },
            message: String::new(),
            first_errors: Vec::new(),
        };
        assert_eq!(status.percent(), 99);
        status.counts.bytes_read = 50;
        assert_eq!(status.percent(), 25);
        status.state = ImportState::Done;
        assert_eq!(status.percent(), 100);
    }
}
