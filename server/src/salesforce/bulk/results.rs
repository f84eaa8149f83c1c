//! Bulk API 2.0 result CSVs read back per row (doc §6.1): `successfulResults` (`sf__Id`, `sf__Created`),
//! `failedResults` (`sf__Id`, `sf__Error`) and `unprocessedrecords`, each followed by the original columns,
//! so a row can be matched to what we uploaded by its own values (row order is not guaranteed).
//! Pure: bytes in, rows out.

use crate::salesforce::error::SalesforceError;
use std::io::Read;
use std::sync::Arc;

/// One CSV row with its header, so columns are read by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    header: Arc<[String]>,
    values: Vec<String>,
}

impl CsvRow {
    /// The value in `column`, if the CSV has that column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.values.get(i))
            .map(String::as_str)
    }

    /// The value in `column`, matching the name ignoring ASCII case as Salesforce's API names do.
    pub fn get_ignore_case(&self, column: &str) -> Option<&str> {
        self.get(column).or_else(|| {
            self.header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(column))
                .and_then(|i| self.values.get(i))
                .map(String::as_str)
        })
    }

    /// `(column, value)` pairs in CSV order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().map(String::as_str))
    }
}

/// A failed row's `sf__Error`, `CODE:message:fields --` split apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRowError {
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl BulkRowError {
    /// Splits `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`. The message may itself
    /// contain colons, so the code ends at the first one and the fields start after the last one.
    pub fn parse(raw: &str) -> Self {
        let text = raw.trim_end().trim_end_matches("--").trim_end();
        let Some((code, rest)) = text.split_once(':') else {
            return Self {
                code: text.to_owned(),
                message: String::new(),
                fields: Vec::new(),
            };
        };
        let (message, fields) = match rest.rsplit_once(':') {
            // A last part with spaces is message text, not a field list.
            Some((message, fields)) if !fields.trim().contains(' ') => (message, fields),
            _ => (rest, ""),
        };
        Self {
            code: code.to_owned(),
            message: message.to_owned(),
            fields: fields
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Succeeded {
        id: String,
        created: bool,
    },
    /// `id` is empty for failed inserts.
    Failed {
        id: Option<String>,
        error: BulkRowError,
    },
    /// Never attempted (the job failed or was aborted first).
    Unprocessed,
}

/// One uploaded row and what happened to it; `row` holds the original columns only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRowResult {
    pub outcome: RowOutcome,
    pub row: CsvRow,
}

/// Which result CSV a body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    Successful,
    Failed,
    Unprocessed,
}

impl ResultKind {
    pub fn resource(self) -> &'static str {
        match self {
            Self::Successful => "successfulResults",
            Self::Failed => "failedResults",
            Self::Unprocessed => "unprocessedrecords",
        }
    }

    fn sf_columns(self) -> usize {
        match self {
            Self::Successful | Self::Failed => 2,
            Self::Unprocessed => 0,
        }
    }
}

/// A CSV read row by row from any source (a downloaded file), header first: large Bulk files are never
/// held in memory whole. Bulk results default to comma-separated, LF.
pub struct CsvRows<R: Read> {
    header: Arc<[String]>,
    records: csv::StringRecordsIntoIter<R>,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header. An empty source has an empty header and no rows.
    ///
    /// # Errors
    /// `Decode` when the header is not CSV.
    pub fn new(source: R, delimiter: u8) -> Result<Self, SalesforceError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(source);
        let header: Arc<[String]> = reader
            .headers()
            .map_err(|e| SalesforceError::csv("Bulk CSV header", e))?
            .iter()
            .map(str::to_owned)
            .collect();
        Ok(Self {
            header,
            records: reader.into_records(),
        })
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<CsvRow, SalesforceError>;
    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        Some(
            record
                .map(|record| CsvRow {
                    header: self.header.clone(),
                    values: record.iter().map(str::to_owned).collect(),
                })
                .map_err(|e| SalesforceError::csv("Bulk CSV", e)),
        )
    }
}

/// Parses a CSV body into rows (header first). Bulk results default to comma-separated, LF.
///
/// # Errors
/// `Decode` when the CSV is malformed.
pub fn parse_csv(body: &[u8], delimiter: u8) -> Result<Vec<CsvRow>, SalesforceError> {
    CsvRows::new(body, delimiter)?.collect()
}

/// One result CSV read row by row, the `sf__` columns separated from the original ones.
pub struct ResultRows<R: Read> {
    rows: CsvRows<R>,
    kind: ResultKind,
    original: Arc<[String]>,
}

impl<R: Read> ResultRows<R> {
    /// Reads and checks the header.
    ///
    /// # Errors
    /// `Decode` when the CSV is malformed or lacks the `sf__` columns its kind must have.
    pub fn new(source: R, kind: ResultKind) -> Result<Self, SalesforceError> {
        let rows = CsvRows::new(source, b',')?;
        let skip = kind.sf_columns();
        let expected: &[&str] = match kind {
            ResultKind::Successful => &["sf__Id", "sf__Created"],
            ResultKind::Failed => &["sf__Id", "sf__Error"],
            ResultKind::Unprocessed => &[],
        };
        let header = rows.header();
        // An empty file (no header at all) has no rows; Salesforce sends one for a job without results.
        let blank = header.is_empty() || (header.len() == 1 && header[0].trim().is_empty());
        if !blank
            && (header.len() < skip || header[..skip].iter().zip(expected).any(|(h, e)| h != e))
        {
            return Err(SalesforceError::unexpected(format!(
                "{} lacks its sf__ columns",
                kind.resource()
            )));
        }
        let original: Arc<[String]> = header.get(skip..).unwrap_or_default().to_vec().into();
        Ok(Self {
            rows,
            kind,
            original,
        })
    }

    fn split(&self, mut row: CsvRow) -> IngestRowResult {
        let skip = self.kind.sf_columns();
        let rest = row.values.split_off(skip.min(row.values.len()));
        let sf = row.values;
        let text = |i: usize| sf.get(i).cloned().unwrap_or_default();
        let outcome = match self.kind {
            ResultKind::Successful => RowOutcome::Succeeded {
                id: text(0),
                created: text(1).eq_ignore_ascii_case("true"),
            },
            ResultKind::Failed => RowOutcome::Failed {
                id: Some(text(0)).filter(|id| !id.is_empty()),
                error: BulkRowError::parse(&text(1)),
            },
            ResultKind::Unprocessed => RowOutcome::Unprocessed,
        };
        IngestRowResult {
            outcome,
            row: CsvRow {
                header: self.original.clone(),
                values: rest,
            },
        }
    }
}

impl<R: Read> Iterator for ResultRows<R> {
    type Item = Result<IngestRowResult, SalesforceError>;
    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        Some(row.map(|row| self.split(row)))
    }
}

/// Parses one result CSV into per-row outcomes, separating the `sf__` columns from the original ones.
///
/// # Errors
/// `Decode` when the CSV is malformed or lacks the `sf__` columns its kind must have.
pub fn parse_results(
    body: &[u8],
    kind: ResultKind,
) -> Result<Vec<IngestRowResult>, SalesforceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    ResultRows::new(body, kind)?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_split_into_code_message_and_fields_even_with_colons_in_the_message() {
        assert_eq!(
            BulkRowError::parse(
                "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
            ),
            BulkRowError {
                code: "REQUIRED_FIELD_MISSING".into(),
                message: "Required fields are missing: [Name]".into(),
                fields: vec!["Name".into()],
            }
        );
        let no_fields =
            BulkRowError::parse("INVALID_EMAIL_ADDRESS:Email: invalid email address: x: --");
        assert_eq!(no_fields.message, "Email: invalid email address: x");
        assert!(no_fields.fields.is_empty());
        let two = BulkRowError::parse("X:m:A,B --");
        assert_eq!(two.fields, ["A", "B"]);
        assert_eq!(BulkRowError::parse("ODD").code, "ODD");
    }

    #[test]
    fn successful_rows_keep_their_original_columns() {
        let body = b"\"sf__Id\",\"sf__Created\",\"LastName\",\"Email\"\n\"003A\",\"true\",\"Lee\",\"a@x.com\"\n\"003B\",\"false\",\"Doe, Jr.\",\"b@x.com\"\n";
        let rows = parse_results(body, ResultKind::Successful).expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].outcome,
            RowOutcome::Succeeded {
                id: "003A".into(),
                created: true
            }
        );
        assert_eq!(
            rows[1].outcome,
            RowOutcome::Succeeded {
                id: "003B".into(),
                created: false
            }
        );
        assert_eq!(rows[1].row.get("LastName"), Some("Doe, Jr."));
        assert_eq!(rows[1].row.get("sf__Id"), None);
        assert_eq!(rows[0].row.iter().count(), 2);
    }

    #[test]
    fn failed_inserts_have_no_id_and_empty_bodies_have_no_rows() {
        let body = b"sf__Id,sf__Error,LastName\n,REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --,\n";
        let rows = parse_results(body, ResultKind::Failed).expect("parses");
        let RowOutcome::Failed { id, error } = &rows[0].outcome else {
            panic!("expected a failure: {:?}", rows[0]);
        };
        assert_eq!(id, &None);
        assert_eq!(error.fields, ["LastName"]);
        assert!(parse_results(b"", ResultKind::Failed)
            .expect("empty")
            .is_empty());
        assert!(parse_results(b"LastName\n", ResultKind::Unprocessed)
            .expect("header only")
            .is_empty());
        assert!(parse_results(b"Id,LastName\n1,x\n", ResultKind::Successful).is_err());
    }
}
