//! Sending a batch's writes through sObject Collections (200 records a call, `allOrNone=false`) and joining
//! Salesforce's answers back to contacts. Collections answer per record, in request order, so each result
//! is zipped with the contact that sent it.
//!
//! Faults, and why each is handled where it is:
//! - 401, 503 and a whole call refused with `UNABLE_TO_LOCK_ROW`: the client's send loop re-authenticates
//!   or backs off ([`crate::salesforce::retry::decide`]).
//! - A *record* refused with `UNABLE_TO_LOCK_ROW` inside a 200 answer: only that record is sent again, after
//!   a backoff, up to [`ATTEMPTS`] times. A failed insert created nothing, so resending it is safe.
//! - An insert whose answer was lost (`Ambiguous`): never resent blindly. The records are looked up by their
//!   match keys first; those found are logged as inserted with the id found, only the rest go again. So a
//!   retry never makes a second record. Updates (by Id) and upserts (by key) land the same way twice, so the
//!   client resends them itself.
//! - `REQUEST_LIMIT_EXCEEDED`: nothing more is sent; the run pauses with what was answered recorded.
//! - Sign-in or network failures that outlast the retries stop the run ([`Halt::Failed`]); any other refusal
//!   of a whole call fails just that call's contacts, with Salesforce's code and message on their rows.

mod insert;

use super::decision::{Decision, Planned, RecordWrite, RunAction};
use super::failure::{classify, Failure, Fatal, Halt};
use super::outcome::ContactOutcome;
use super::plan::Planner;
use crate::salesforce::collections::{RecordBatch, RecordResult, MAX_RECORDS};
use crate::salesforce::query::Record;
use crate::salesforce::retry::backoff_delay;
use crate::salesforce::{SalesforceClient, SalesforceError};
use std::collections::HashMap;

/// Sends of one record before its last transient refusal is logged as its outcome.
pub const ATTEMPTS: u32 = 4;

/// A contact whose decision writes.
#[derive(Debug, Clone)]
pub struct WriteItem {
    pub planned: Planned,
    pub email: String,
}

/// One record write's answer: the id written, or Salesforce's code and message.
type WriteAnswer = Result<String, (String, String)>;

fn transient(result: &RecordResult) -> bool {
    !result.success
        && result
            .errors
            .iter()
            .any(|e| e.status_code == "UNABLE_TO_LOCK_ROW" || e.status_code == "SERVER_UNAVAILABLE")
}

fn first_error(result: &RecordResult) -> (String, String) {
    result.errors.first().map_or_else(
        || ("UNKNOWN".to_owned(), "Salesforce gave no reason".to_owned()),
        |e| (e.status_code.clone(), e.message.clone()),
    )
}

fn chunked<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut iter = items.into_iter().peekable();
    while iter.peek().is_some() {
        chunks.push(iter.by_ref().take(size).collect());
    }
    chunks
}

/// Writes one batch's decisions with Collections.
pub struct Writer<'a> {
    pub client: &'a SalesforceClient,
    pub planner: &'a Planner,
}

impl Writer<'_> {
    /// Sends every write in `items`, pushing one outcome per contact onto `out` (decisions that write
    /// nothing are passed through).
    ///
    /// # Errors
    /// [`Halt`] when the run must stop: contacts not answered by then have no outcome.
    pub async fn write(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        let (mut inserts, mut updates, mut upserts) = (Vec::new(), Vec::new(), Vec::new());
        for item in items {
            match &item.planned.decision {
                Decision::Insert { .. } => inserts.push(item),
                Decision::Update { .. } => updates.push(item),
                Decision::Upsert { .. } => upserts.push(item),
                _ => out.push(ContactOutcome::decided(item.planned, item.email)),
            }
        }
        for chunk in chunked(inserts, MAX_RECORDS) {
            self.insert(chunk, out).await?;
        }
        for chunk in chunked(upserts, MAX_RECORDS) {
            self.upsert(chunk, out).await?;
        }
        self.update(updates, out).await
    }

    /// [`Self::write`] for inserts a worker that died had already handed to Salesforce without recording
    /// the answer: each is looked up by its match key first, as after a lost answer, and only those not
    /// found are sent again. Other writes land the same way twice and go as usual.
    ///
    /// # Errors
    /// As [`Self::write`].
    pub async fn write_resumed(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        let (inserts, others): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|i| matches!(i.planned.decision, Decision::Insert { .. }));
        for chunk in chunked(inserts, MAX_RECORDS) {
            match self.landed(chunk, out).await {
                Ok(rest) => self.insert(rest, out).await?,
                Err((rest, error)) => Self::fail_all(rest, RunAction::Insert, &error, out)?,
            }
        }
        self.write(others, out).await
    }

    fn batch(&self, records: Vec<Record>) -> Result<RecordBatch, Halt> {
        RecordBatch::new(self.planner.object(), records)
            .map_err(|e| Halt::Failed(Fatal::Collections(e)))
    }

    async fn backoff(&self, attempt: u32) {
        if attempt > 1 {
            self.client
                .pause(backoff_delay(attempt - 1, rand::random()))
                .await;
        }
    }

    fn fail_all(
        items: Vec<WriteItem>,
        action: RunAction,
        error: &SalesforceError,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        match classify(error) {
            Failure::Halt(halt) => Err(halt),
            Failure::Records { code, message } => {
                out.extend(items.iter().map(|i| {
                    ContactOutcome::failed(&i.planned, &i.email, action, &code, &message)
                }));
                Ok(())
            }
        }
    }

    async fn upsert(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        let Some(Decision::Upsert { key_field, .. }) = items.first().map(|i| &i.planned.decision)
        else {
            return Ok(());
        };
        let key_field = key_field.clone();
        let values = |item: &WriteItem| match &item.planned.decision {
            Decision::Upsert { values, .. } => values.to_record(),
            _ => Record::new(),
        };
        let mut todo = items;
        for attempt in 1..=ATTEMPTS {
            if todo.is_empty() {
                break;
            }
            self.backoff(attempt).await;
            let last = attempt == ATTEMPTS;
            let batch = self.batch(todo.iter().map(values).collect())?;
            match self.client.upsert_records(&batch, &key_field).await {
                Ok(results) => {
                    let mut again = Vec::new();
                    for (item, result) in todo.into_iter().zip(results) {
                        // A refused upsert's action is unknown; Salesforce only says `created` on success.
                        let action = RunAction::of_upsert(result.created.unwrap_or(false));
                        if !last && transient(&result) {
                            again.push(item);
                        } else if result.success {
                            let ids = result.id.into_iter().collect();
                            out.push(ContactOutcome::written(
                                &item.planned,
                                &item.email,
                                action,
                                ids,
                            ));
                        } else {
                            let (code, message) = first_error(&result);
                            out.push(ContactOutcome::failed(
                                &item.planned,
                                &item.email,
                                action,
                                &code,
                                &message,
                            ));
                        }
                    }
                    todo = again;
                }
                Err(error) => return Self::fail_all(todo, RunAction::Update, &error, out),
            }
        }
        Ok(())
    }

    async fn update(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        // A contact may write several records (duplicate policy "update all"): its outcome is known once
        // every one of its writes is answered, and it is a success only if all of them are.
        let mut expected: Vec<usize> = Vec::with_capacity(items.len());
        let mut todo: Vec<(usize, RecordWrite)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let writes = match &item.planned.decision {
                Decision::Update { writes } => writes.clone(),
                _ => Vec::new(),
            };
            expected.push(writes.len());
            todo.extend(writes.into_iter().map(|w| (i, w)));
        }
        let mut answers: HashMap<usize, Vec<WriteAnswer>> = HashMap::new();
        let mut halted = None;
        'attempts: for attempt in 1..=ATTEMPTS {
            if todo.is_empty() {
                break;
            }
            self.backoff(attempt).await;
            let last = attempt == ATTEMPTS;
            let mut again = Vec::new();
            for chunk in chunked(std::mem::take(&mut todo), MAX_RECORDS) {
                let batch = self.batch(chunk.iter().map(|(_, w)| w.to_record()).collect())?;
                match self.client.update_records(&batch).await {
                    Ok(results) => {
                        for ((i, write), result) in chunk.into_iter().zip(results) {
                            if !last && transient(&result) {
                                again.push((i, write));
                            } else if result.success {
                                answers.entry(i).or_default().push(Ok(write.id));
                            } else {
                                answers
                                    .entry(i)
                                    .or_default()
                                    .push(Err(first_error(&result)));
                            }
                        }
                    }
                    Err(error) => match classify(&error) {
                        Failure::Halt(halt) => {
                            halted = Some(halt);
                            break 'attempts;
                        }
                        Failure::Records { code, message } => {
                            for (i, _) in chunk {
                                answers
                                    .entry(i)
                                    .or_default()
                                    .push(Err((code.clone(), message.clone())));
                            }
                        }
                    },
                }
            }
            todo = again;
        }
        for (i, item) in items.into_iter().enumerate() {
            let Some(answered) = answers.remove(&i) else {
                continue;
            };
            if answered.len() < expected[i] {
                continue; // cut short by a halt: no outcome
            }
            let failure = answered.iter().find_map(|a| a.as_ref().err()).cloned();
            out.push(match failure {
                None => ContactOutcome::written(
                    &item.planned,
                    &item.email,
                    RunAction::Update,
                    answered.into_iter().filter_map(Result::ok).collect(),
                ),
                Some((code, message)) => ContactOutcome::failed(
                    &item.planned,
                    &item.email,
                    RunAction::Update,
                    &code,
                    &message,
                ),
            });
        }
        halted.map_or(Ok(()), Err)
    }
}
