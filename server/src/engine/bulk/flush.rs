//! Step 2 of a Bulk run for the writes too few for a Bulk job: a page of staged contacts at a time through
//! the same Collections writer a small run uses (200 records a call, lock retries, lost answers looked
//! up), each page's log rows recorded with the deletion of its staged rows.
//!
//! The rows are marked in flight before the calls. A worker that dies before recording leaves them so;
//! the next worker looks an in-flight insert up by its match key before sending it again
//! ([`Writer::write_resumed`]), exactly as after a lost answer. Updates and upserts land the same way
//! twice, so they are simply sent again.

use super::{Ctx, Flow};
use crate::engine::decision::{Decision, Planned, RecordWrite, Values};
use crate::engine::hash::PushHash;
use crate::engine::index::MatchKey;
use crate::engine::writer::{WriteItem, Writer};
use crate::salesforce::query::Record;
use crate::storage::runs::bulk::{Operation, StoredRow};
use crate::storage::runs::log::Batch;
use crate::storage::StorageError;
use serde_json::Value;

/// Sends one page of waiting `operations` rows by Collections and records it.
pub(super) async fn flush_page(ctx: &Ctx<'_>, operations: &[Operation]) -> Flow<()> {
    let storage = ctx.storage();
    let rows = storage
        .collections_page(
            ctx.claimed.id,
            operations,
            i64::from(ctx.engine.settings().batch_size),
        )
        .await?;
    let key_field = super::jobs::key_field(ctx);
    let mut fresh = Vec::new();
    let mut resumed = Vec::new();
    let mut contacts = Vec::new();
    for contact in rows.chunk_by(|a, b| a.contact_id == b.contact_id) {
        let item = write_item(contact, &key_field)?;
        contacts.push(item.planned.contact_id);
        let insert = matches!(item.planned.decision, Decision::Insert { .. });
        if insert && contact.iter().any(|r| r.in_flight) {
            resumed.push(item);
        } else {
            fresh.push(item);
        }
    }
    storage.mark_in_flight(ctx.claimed.id, &contacts).await?;
    let writer = Writer {
        client: &ctx.ready.org.client,
        planner: &ctx.ready.planner,
    };
    let mut out = Vec::new();
    let mut halt = writer.write_resumed(resumed, &mut out).await.err();
    if halt.is_none() {
        halt = writer.write(fresh, &mut out).await.err();
    }
    let batch = Batch {
        settled: out.iter().map(|o| o.contact_id).collect(),
        ..Batch::default()
    };
    ctx.record(&out, batch).await?;
    match halt {
        Some(halt) => Err(halt.into()),
        None => Ok(()),
    }
}

/// A contact's staged rows back as the write the planner decided.
fn write_item(rows: &[StoredRow], key_field: &str) -> Result<WriteItem, StorageError> {
    let first = &rows[0];
    let values = |row: &StoredRow| -> Result<Values, StorageError> {
        let record: Record = serde_json::from_str(&row.payload)
            .map_err(|e| StorageError::Corrupt(format!("staged payload: {e}")))?;
        Ok(Values::from_record(record))
    };
    let decision = match Operation::parse(&first.operation)? {
        Operation::Insert | Operation::Deferred => Decision::Insert {
            values: values(first)?,
        },
        Operation::Upsert => Decision::Upsert {
            key_field: key_field.to_owned(),
            values: values(first)?,
        },
        Operation::Update => Decision::Update {
            writes: rows
                .iter()
                .map(|row| {
                    Ok(RecordWrite {
                        id: row.join_key.clone(),
                        values: values(row)?,
                    })
                })
                .collect::<Result<_, StorageError>>()?,
        },
    };
    Ok(WriteItem {
        planned: Planned {
            contact_id: first.contact_id,
            key: MatchKey::of(&Value::String(first.match_key.clone())),
            hash: first.hash.clone().map(PushHash::from_stored),
            decision,
        },
        email: first.email.clone(),
    })
}
