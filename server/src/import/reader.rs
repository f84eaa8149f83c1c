//! The blocking half of an import: CSV records in, parsed batches out.

use super::{ImportError, BATCH_ROWS};
use shared::contact::custom::CustomProperty;
use shared::contact::import::{ImportMapping, ImportRowError};
use shared::contact::NewContact;
use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Largest record (one CSV row, header included) read: real rows are a few hundred bytes. One
/// unterminated quote would otherwise make the rest of the file one record, held in memory whole.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;
/// The CSV reader's own buffer: the parser may be this far behind what was read from the file.
const READ_BUFFER: usize = 64 * 1024;
/// Longest text of a row problem kept for the report (an email cell, a reason): the report stays small
/// whatever the cells hold.
const MAX_PROBLEM_CHARS: usize = 300;

/// The file as the CSV parser reads it, refusing to deliver more than [`MAX_RECORD_BYTES`] (plus the
/// parser's buffer) past the start of the record being parsed.
struct RecordGuard<R> {
    inner: R,
    delivered: u64,
    /// Byte offset where the record being parsed starts; the read loop moves it after each record.
    record_start: Rc<Cell<u64>>,
    tripped: Rc<Cell<bool>>,
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.delivered - self.record_start.get() > MAX_RECORD_BYTES + READ_BUFFER as u64 {
            self.tripped.set(true);
            return Err(std::io::Error::other("a record is too large"));
        }
        let n = self.inner.read(buf)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// At most [`MAX_PROBLEM_CHARS`] characters of `text`, marked when cut.
fn clipped(text: String) -> String {
    if text.chars().count() <= MAX_PROBLEM_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_PROBLEM_CHARS).collect();
    cut.push('…');
    cut
}

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
    let record_start = Rc::new(Cell::new(0));
    let tripped = Rc::new(Cell::new(false));
    let guarded = RecordGuard {
        inner: source,
        delivered: 0,
        record_start: record_start.clone(),
        tripped: tripped.clone(),
    };
    // Flexible: a row with the wrong number of cells is that row's problem, not the file's. (Its cells
    // are bounded by the record size.)
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(guarded);
    let read_error = |row: u64, e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(_) if tripped.get() => ImportError::RecordTooLarge {
            row,
            max_bytes: MAX_RECORD_BYTES,
        },
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
    record_start.set(csv.position().byte());
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
        let more = match csv.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                // The rows before the one that failed are good: they are saved, then the import stops.
                if batch.rows > 0 {
                    let _ = tx.blocking_send(batch);
                }
                return Err(read_error(row + 1, e));
            }
        };
        if !more {
            break;
        }
        record_start.set(csv.position().byte());
        row += 1;
        batch.rows += 1;
        match parse_row(&record, columns, mapping, properties) {
            Ok(contact) => batch.contacts.push(contact),
            Err(problems) => {
                batch.failed_rows += 1;
                let email = email_column
                    .and_then(|i| record.get(i))
                    .map(|cell| clipped(String::from_utf8_lossy(cell).trim().to_owned()))
                    .unwrap_or_default();
                batch
                    .errors
                    .extend(problems.into_iter().map(|(field, reason)| ImportRowError {
                        row,
                        email: email.clone(),
                        field: clipped(field),
                        reason: clipped(reason),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_texts_are_clipped_and_marked() {
        assert_eq!(clipped("short".into()), "short");
        let long = clipped("é".repeat(MAX_PROBLEM_CHARS + 1));
        assert_eq!(long.chars().count(), MAX_PROBLEM_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn the_guard_refuses_to_read_far_past_the_record_start() {
        let file = vec![b'x'; (MAX_RECORD_BYTES as usize) + 4 * READ_BUFFER];
        let start = Rc::new(Cell::new(0));
        let tripped = Rc::new(Cell::new(false));
        let mut guard = RecordGuard {
            inner: file.as_slice(),
            delivered: 0,
            record_start: start.clone(),
            tripped: tripped.clone(),
        };
        let mut buf = vec![0; READ_BUFFER];
        let mut read = 0_u64;
        let error = loop {
            match guard.read(&mut buf) {
                Ok(n) => read += n as u64,
                Err(e) => break e,
            }
        };
        assert!(tripped.get(), "{error}");
        assert!(read <= MAX_RECORD_BYTES + 2 * READ_BUFFER as u64);
        // A reader that keeps up with its records is never stopped.
        let mut guard = RecordGuard {
            inner: file.as_slice(),
            delivered: 0,
            record_start: start.clone(),
            tripped: Rc::new(Cell::new(false)),
        };
        while guard.read(&mut buf).expect("read") > 0 {
            start.set(guard.delivered);
        }
    }
}
