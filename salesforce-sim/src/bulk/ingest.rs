//! Processing one ingest job: parse the CSV, map columns to fields, then write
//! rows in internal batches, recording one [`RowOutcome`] per data row.

use super::{delimiter_byte, JobState, RowOutcome};
use crate::error::RecordError;
use crate::org::{Org, WriteOptions};
use crate::state::Shared;
use crate::validate::{text_value, writable_field, Changes, WriteKind};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// `#N/A` nulls a field; an empty cell leaves it alone (doc §6.1).
const NULL_MARKER: &str = "#N/A";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Insert,
    Update,
    Upsert,
    Delete,
}

/// One CSV column: a field, or the record Id.
#[derive(Debug, Clone, Copy)]
enum Column {
    Id,
    Field(usize),
}

struct Plan {
    obj: usize,
    op: Op,
    columns: Vec<Column>,
    /// Column holding the upsert key / the Id.
    key_column: Option<usize>,
    key_field: Option<usize>,
}

/// Runs job `job_id` to a terminal state. Call on a blocking thread.
pub fn process(shared: &Shared, job_id: &str) {
    let started = Instant::now();
    let job = {
        let mut jobs = shared.jobs.lock();
        let Some(job) = jobs.ingest.get_mut(job_id) else {
            return;
        };
        job.state = JobState::InProgress;
        job.clone()
    };
    let result = run(
        shared,
        &job.data,
        &job.object,
        &job.operation,
        job.external_id_field.as_deref(),
        &job.column_delimiter,
        &job.created_by,
    );
    {
        let mut jobs = shared.jobs.lock();
        let now = shared.org.lock().now_ms();
        if let Some(j) = jobs.ingest.get_mut(job_id) {
            match result {
                Ok(outcomes) => {
                    j.failed = outcomes
                        .iter()
                        .filter(|o| matches!(o, RowOutcome::Failed { .. }))
                        .count() as u64;
                    j.processed = outcomes
                        .iter()
                        .filter(|o| !matches!(o, RowOutcome::Unprocessed))
                        .count() as u64;
                    j.outcomes = Arc::new(outcomes);
                    j.state = JobState::JobComplete;
                }
                Err(message) => {
                    j.error_message = Some(message);
                    j.state = JobState::Failed;
                }
            }
            j.modified_ms = now;
            j.processing_ms = started.elapsed().as_millis() as u64;
        }
    }
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    shared.job_micros.fetch_add(micros, Ordering::Relaxed);
    shared.jobs_changed.send_modify(|n| *n += 1);
}

fn plan(
    org: &Org,
    header: &csv::StringRecord,
    object: &str,
    operation: &str,
    ext: Option<&str>,
) -> Result<Plan, String> {
    let obj = org
        .object_index(object)
        .ok_or_else(|| format!("InvalidJob : Unable to find object: {object}"))?;
    let schema = &org.objects[obj].schema;
    let op = match operation {
        "insert" => Op::Insert,
        "update" => Op::Update,
        "upsert" => Op::Upsert,
        "delete" | "hardDelete" => Op::Delete,
        other => return Err(format!("InvalidJob : Invalid operation: {other}")),
    };
    let mut columns = Vec::with_capacity(header.len());
    for name in header.iter() {
        let name = name.trim();
        if name.eq_ignore_ascii_case("id") {
            columns.push(Column::Id);
            continue;
        }
        // Relationship columns (`Account.Ext__c`) are not simulated.
        let f = schema
            .field_index(name)
            .ok_or_else(|| format!("InvalidBatch : Field name not found : {name}"))?;
        columns.push(Column::Field(f));
    }
    let key_field = match (op, ext) {
        (Op::Upsert, Some(e)) => Some(
            schema
                .field_index(e)
                .ok_or_else(|| format!("InvalidBatch : Field name not found : {e}"))?,
        ),
        _ => None,
    };
    let key_column = match op {
        Op::Update | Op::Delete => Some(
            columns
                .iter()
                .position(|c| matches!(c, Column::Id))
                .ok_or("InvalidBatch : Field name not found : Id")?,
        ),
        Op::Upsert => {
            let is_id = key_field.is_some_and(|f| schema.fields[f].name == "Id");
            let pos = columns.iter().position(|c| match c {
                Column::Id => is_id,
                Column::Field(f) => Some(*f) == key_field,
            });
            Some(pos.ok_or_else(|| {
                format!(
                    "InvalidBatch : Field name not found : {}",
                    ext.unwrap_or_default()
                )
            })?)
        }
        Op::Insert => None,
    };
    Ok(Plan {
        obj,
        op,
        columns,
        key_column,
        key_field,
    })
}

fn run(
    shared: &Shared,
    data: &[u8],
    object: &str,
    operation: &str,
    ext: Option<&str>,
    delimiter: &str,
    user: &str,
) -> Result<Vec<RowOutcome>, String> {
    if data.is_empty() {
        return Err("InvalidBatch : No data was uploaded".to_owned());
    }
    let delim = delimiter_byte(delimiter).unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .from_reader(data);
    let header = reader
        .headers()
        .map_err(|e| format!("InvalidBatch : {e}"))?
        .clone();
    let (plan, batch_size) = {
        let org = shared.org.lock();
        (
            plan(&org, &header, object, operation, ext)?,
            org.config.bulk_batch_size.max(1),
        )
    };
    let opts = WriteOptions {
        allow_duplicate_save: false,
        user_id: user.to_owned(),
    };
    let mut outcomes = Vec::new();
    let mut records = reader.records();
    loop {
        // Parse a batch outside the lock, then write it under one hold.
        let mut batch = Vec::with_capacity(batch_size);
        for r in records.by_ref().take(batch_size) {
            batch.push(r.map_err(|e| format!("InvalidBatch : {e}"))?);
        }
        if batch.is_empty() {
            break;
        }
        let mut org = shared.org.lock();
        for record in &batch {
            outcomes.push(write_row(&mut org, &plan, record, &opts));
        }
    }
    Ok(outcomes)
}

fn changes(
    org: &Org,
    plan: &Plan,
    record: &csv::StringRecord,
    kind: WriteKind,
) -> Result<Changes, RecordError> {
    let schema = &org.objects[plan.obj].schema;
    let mut out = Vec::with_capacity(record.len());
    for (col, cell) in plan.columns.iter().zip(record.iter()) {
        let Column::Field(f) = col else { continue };
        if cell.is_empty() {
            continue;
        }
        writable_field(schema, &schema.fields[*f].name, kind)?;
        let value = if cell == NULL_MARKER {
            None
        } else {
            text_value(&schema.fields[*f], cell)?
        };
        out.push((*f, value));
    }
    Ok(out)
}

fn write_row(
    org: &mut Org,
    plan: &Plan,
    record: &csv::StringRecord,
    opts: &WriteOptions,
) -> RowOutcome {
    let key = plan
        .key_column
        .and_then(|c| record.get(c))
        .filter(|k| !k.is_empty());
    let mut undo = Vec::new();
    let obj = plan.obj;
    let result: Result<(u32, bool), (Option<u32>, RecordError)> = match plan.op {
        Op::Insert => changes(org, plan, record, WriteKind::Insert)
            .and_then(|c| org.insert(obj, c, opts, &mut undo))
            .map(|r| (r, true))
            .map_err(|e| (None, e)),
        Op::Update | Op::Delete => match key {
            None => Err((
                None,
                RecordError::new(
                    "MISSING_ARGUMENT",
                    "Id not specified in an update call",
                    &[],
                ),
            )),
            Some(id) => match org.resolve_id(obj, id) {
                Err(e) => Err((None, e)),
                Ok(row) => {
                    let res = if plan.op == Op::Delete {
                        org.delete(obj, row, &mut undo)
                    } else {
                        changes(org, plan, record, WriteKind::Update)
                            .and_then(|c| org.update(obj, row, c, opts, &mut undo))
                    };
                    res.map(|_| (row, false)).map_err(|e| (Some(row), e))
                }
            },
        },
        Op::Upsert => {
            let field = plan.key_field.unwrap_or(0);
            let existing = key.map(|k| org.matches(obj, field, k)).unwrap_or_default();
            let kind = if existing.is_empty() {
                WriteKind::Insert
            } else {
                WriteKind::Update
            };
            changes(org, plan, record, kind)
                .and_then(|c| org.upsert(obj, field, key, c, opts, &mut undo))
                .map_err(|e| (existing.first().copied(), e))
        }
    };
    match result {
        Ok((row, created)) => RowOutcome::Ok { row, created },
        Err((row, e)) => RowOutcome::Failed {
            row,
            error: e.to_bulk_text().into_boxed_str(),
        },
    }
}
