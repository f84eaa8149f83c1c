//! Step 1 of a Bulk run: decide every selected contact, batch by batch, and stage the writes instead of
//! sending them. Each batch is recorded in one transaction: log rows of the contacts that need no write,
//! staged rows of those that do, the counters and the cursor.

use super::cells;
use super::index::IndexState;
use super::rule;
use super::{Ctx, Flow};
use crate::engine::clock::Phase;
use crate::engine::decision::{Decision, Planned, RunAction};
use crate::engine::failure::{classify, Failure};
use crate::engine::hash::PushHash;
use crate::engine::lookup::lookup;
use crate::engine::outcome::ContactOutcome;
use crate::engine::plan::{Pending, Prepared, Strategy};
use crate::storage::contacts::matching::SelectedContact;
use crate::storage::runs::bulk::{Filled, Operation, StagedRow};
use crate::storage::runs::log::Batch;
use serde_json::Value;
use std::collections::HashSet;

/// Plans the whole selection after the run's cursor.
pub(super) async fn plan_all(ctx: &Ctx<'_>) -> Flow<()> {
    let mut index = IndexState::load(ctx).await?;
    let mut after = ctx.claimed.cursor_contact_id;
    let (mut staged_rows, mut analysed_at) = (0_u64, 0_u64);
    loop {
        ctx.boundary().await?;
        let page = ctx
            .storage()
            .selected_contacts_page(
                ctx.claimed.workspace(),
                ctx.claimed.sync_id,
                &ctx.ready.selection(),
                after,
                ctx.engine.settings().batch_size,
            )
            .await?;
        ctx.ready.clock.lap(Phase::Read);
        let Some(last) = page.last().map(|c| c.contact.id) else {
            return Ok(());
        };
        let count = page.len();
        let (outcomes, staged) = plan_batch(ctx, &mut index, page).await?;
        let staged_count = u64::try_from(staged.len()).unwrap_or(u64::MAX);
        tracing::info!(
            run_id = ctx.claimed.id,
            contacts = count,
            staged = staged.len(),
            cursor = last,
            "batch planned"
        );
        let batch = Batch {
            cursor: Some(last),
            staged,
            ..Batch::default()
        };
        ctx.record(&outcomes, batch).await?;
        ctx.ready.clock.lap(Phase::Record);
        staged_rows += staged_count;
        if rule::analyse_staged_again(staged_rows, analysed_at) {
            ctx.storage().analyze_filled(Filled::Staged).await?;
            analysed_at = staged_rows;
            ctx.ready.clock.lap(Phase::Stage);
        }
        after = last;
    }
}

/// One batch: the outcomes of contacts that need no write, and the staged rows of those that do.
async fn plan_batch(
    ctx: &Ctx<'_>,
    index: &mut IndexState,
    page: Vec<SelectedContact>,
) -> Flow<(Vec<ContactOutcome>, Vec<StagedRow>)> {
    let planner = &ctx.ready.planner;
    let prepared = page.len();
    let mut outcomes = Vec::with_capacity(page.len());
    let mut writes: Vec<(Planned, String)> = Vec::new();
    let mut pending: Vec<(Pending, String)> = Vec::new();
    for selected in page {
        let email = selected.contact.email.as_str().to_owned();
        let previous = selected.last_hash.map(PushHash::from_stored);
        match planner.prepare(&selected.contact, previous.as_ref()) {
            Prepared::Done(planned) if planned.decision.writes() => writes.push((planned, email)),
            Prepared::Done(planned) => outcomes.push(ContactOutcome::decided(planned, email)),
            Prepared::Lookup(p) => pending.push((p, email)),
        }
    }
    index.observe(prepared, pending.len());
    let clock = &ctx.ready.clock;
    clock.lap(Phase::Prepare);
    if let (false, Strategy::Lookup { match_field }) = (pending.is_empty(), planner.strategy()) {
        let found = if index.use_bulk(ctx) {
            index.build(ctx).await?;
            clock.lap(Phase::Index);
            Some(
                index
                    .lookup(ctx, pending.iter().map(|(p, _)| p.key()))
                    .await?,
            )
        } else {
            let values: Vec<Value> = pending
                .iter()
                .map(|(p, _)| p.match_value().clone())
                .collect();
            let found = lookup(&ctx.ready.org.client, planner, match_field, &values).await;
            match found {
                Ok(found) => Some(found),
                Err(error) => match classify(&error) {
                    Failure::Halt(halt) => return Err(halt.into()),
                    Failure::Records { code, message } => {
                        // As in a small run: no decision could be made, logged as a failed update.
                        for (p, email) in pending.drain(..) {
                            outcomes.push(ContactOutcome {
                                contact_id: p.contact_id(),
                                email,
                                action: RunAction::Update,
                                ok: false,
                                crm_ids: Vec::new(),
                                error_code: Some(code.clone()),
                                message: Some(format!(
                                    "The lookup in Salesforce failed: {message}"
                                )),
                                hash: None,
                            });
                        }
                        None
                    }
                },
            }
        };
        clock.lap(Phase::Lookup);
        let found = found.unwrap_or_default();
        for (p, email) in pending {
            let matches = found.matches(p.key());
            let planned = planner.decide(p, matches);
            if planned.decision.writes() {
                writes.push((planned, email));
            } else {
                outcomes.push(ContactOutcome::decided(planned, email));
            }
        }
    }
    clock.lap(Phase::Prepare);
    let staged = stage(ctx, writes).await?;
    clock.lap(Phase::Stage);
    Ok((outcomes, staged))
}

/// Stages the batch's writes, deferring every contact whose match key a staged write already holds
/// (from an earlier batch, or earlier in this one), and every write Bulk CSV cannot carry as it is
/// ([`bulk_would_change`]).
async fn stage(ctx: &Ctx<'_>, mut writes: Vec<(Planned, String)>) -> Flow<Vec<StagedRow>> {
    writes.sort_by_key(|(p, _)| p.contact_id);
    let keys: Vec<String> = writes
        .iter()
        .filter_map(|(p, _)| p.key.as_ref().map(|k| k.as_str().to_owned()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut taken: HashSet<String> = ctx
        .storage()
        .staged_keys(ctx.claimed.id, &keys)
        .await?
        .into_iter()
        .collect();
    let key_field = match ctx.ready.planner.strategy() {
        Strategy::Lookup { match_field } => match_field.clone(),
        Strategy::Upsert { key_field } => key_field.clone(),
    };
    let mut staged = Vec::with_capacity(writes.len());
    for (planned, email) in writes {
        let match_key = planned
            .key
            .as_ref()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default();
        // The key is taken either way: a later contact with it waits for this one.
        if !taken.insert(match_key.clone()) || bulk_would_change(&planned) {
            staged.push(StagedRow {
                contact_id: planned.contact_id,
                operation: Operation::Deferred,
                join_key: String::new(),
                match_key,
                email,
                hash: None,
                payload: "{}".into(),
            });
            continue;
        }
        staged.extend(rows_of(&planned, &email, &match_key, &key_field));
    }
    Ok(staged)
}

/// Whether Bulk CSV would write something other than the contact holds: a text value of exactly `#N/A`
/// (spaces aside) is Bulk's marker for "clear this field" (doc §6.1) and no quoting escapes it, so a
/// job title of `#N/A` would empty the record's Title. Such a write is deferred to the small-run path,
/// whose sObject Collections JSON carries the text as it is. Rare, so the cost is a Collections call.
fn bulk_would_change(planned: &Planned) -> bool {
    let records = match &planned.decision {
        Decision::Insert { values } | Decision::Upsert { values, .. } => vec![values.to_record()],
        Decision::Update { writes } => writes.iter().map(|w| w.values.to_record()).collect(),
        _ => Vec::new(),
    };
    records
        .iter()
        .flat_map(|record| record.values())
        .any(|value| matches!(value, Value::String(text) if text.trim() == cells::CLEAR))
}

/// The staged rows of one write decision: one per record written.
fn rows_of(planned: &Planned, email: &str, match_key: &str, key_field: &str) -> Vec<StagedRow> {
    let hash = planned.hash.as_ref().map(|h| h.as_str().to_owned());
    let row =
        |operation: Operation, record: crate::salesforce::query::Record, id: &str| StagedRow {
            contact_id: planned.contact_id,
            operation,
            join_key: cells::staged_join_key(operation, &record, key_field, id),
            match_key: match_key.to_owned(),
            email: email.to_owned(),
            hash: hash.clone(),
            payload: Value::Object(record).to_string(),
        };
    match &planned.decision {
        Decision::Insert { values } => vec![row(Operation::Insert, values.to_record(), "")],
        Decision::Upsert { values, .. } => vec![row(Operation::Upsert, values.to_record(), "")],
        Decision::Update { writes } => writes
            .iter()
            .map(|w| row(Operation::Update, w.values.to_record(), &w.id))
            .collect(),
        _ => Vec::new(),
    }
}
