//! The blocking half of an import: CSV records in, parsed batches out.

use super::{ImportError, BATCH_ROWS};
use shared::contact::custom::CustomProperty;
use shared::contact::import::{ImportMapping, ImportRowError};
use shared::contact::NewContact;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Up to [`BATCH_ROWS`] rows: the good ones parsed, the bad ones as problems.
pub(super) struct Batch {
    pub contacts: Vec<NewContact>,
    pub errors: Vec<ImportRowError>,
    pub rows: u64,
    pub failed_rows: u64,
}

impl Batch {
    fn new() -> Self {
        Batch {
            contacts: Vec::with_capacity(BATCH_ROWS),
            errors: Vec::new(),
            rows: 0,
            failed_rows: 0,
        }
    }
}

/// Set by the async side when the body passed the size limit, so the read error it causes is
/// reported as "too large" rather than "interrupted".
pub(super) struct Limits {
    pub too_large: Arc<AtomicBool>,
    pub max_bytes: u64,
}

/// Reads every record of `source`, sending batches to `tx`. Returns early (without error) when the
/// receiver is gone: the async side stopped and reports why.
pub(super) fn read_rows(
    source: impl Read,
    mapping: &ImportMapping,
    properties: &[CustomProperty],
    limits: &Limits,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), ImportError> {
    // Flexible: a row with the wrong number of cells is that row's problem, not the file's.
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(source);
    let read_error = |row: u64, e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(_) if limits.too_large.load(Ordering::Relaxed) => {
            ImportError::TooLarge {
                max_bytes: limits.max_bytes,
            }
        }
        csv::ErrorKind::Io(io) => ImportError::Interrupted(io),
        other => ImportError::Csv {
            row,
            reason: format!("{other:?}"),
        },
    };
    let columns = csv.byte_headers().map_err(|e| read_error(1, e))?.len();
    if columns == 0 {
        return Err(ImportError::NoHeader);
    }
    if columns != mapping.len() {
        return Err(ImportError::Columns {
            expected: mapping.len(),
            found: columns,
        });
    }
    let email_column = mapping.column_of("email");
    let mut record = csv::ByteRecord::new();
    let mut batch = Batch::new();
    let mut row: u64 = 1;
    loop {
        let more = csv
            .read_byte_record(&mut record)
            .map_err(|e| read_error(row + 1, e))?;
        if !more {
            break;
        }
        row += 1;
        batch.rows += 1;
        match parse_row(&record, columns, mapping, properties) {
            Ok(contact) => batch.contacts.push(contact),
            Err(problems) => {
                batch.failed_rows += 1;
                let email = email_column
                    .and_then(|i| record.get(i))
                    .map(|cell| String::from_utf8_lossy(cell).trim().to_owned())
                    .unwrap_or_default();
                batch
                    .errors
                    .extend(problems.into_iter().map(|(field, reason)| ImportRowError {
                        row,
                        email: email.clone(),
                        field,
                        reason,
                    }));
            }
        }
        if batch.rows >= BATCH_ROWS as u64
            && tx
                .blocking_send(std::mem::replace(&mut batch, Batch::new()))
                .is_err()
        {
            return Ok(());
        }
    }
    if batch.rows > 0 {
        let _ = tx.blocking_send(batch);
    }
    Ok(())
}

/// One record as a contact, or its problems as (field, reason).
fn parse_row(
    record: &csv::ByteRecord,
    columns: usize,
    mapping: &ImportMapping,
    properties: &[CustomProperty],
) -> Result<NewContact, Vec<(String, String)>> {
    if record.len() != columns {
        return Err(vec![(
            String::new(),
            format!(
                "the row has {} cells; the header has {columns}",
                record.len()
            ),
        )]);
    }
    let mut cells: Vec<&str> = Vec::with_capacity(columns);
    for (i, cell) in record.iter().enumerate() {
        match std::str::from_utf8(cell) {
            Ok(text) => cells.push(text),
            Err(_) => {
                let field = mapping.columns()[i].clone().unwrap_or_default();
                return Err(vec![(
                    field,
                    "it is not UTF-8 text (save the file as \"CSV UTF-8\")".to_owned(),
                )]);
            }
        }
    }
    NewContact::parse(mapping.input(cells), properties).map_err(|problems| {
        problems
            .into_iter()
            .map(|e| (e.field().to_owned(), e.to_string()))
            .collect()
    })
}
