//! Inserts, the one write that is never resent blindly: an insert whose answer was lost is looked up by its
//! match key first (see the parent module's fault list).

use super::{first_error, transient, WriteItem, Writer, ATTEMPTS};
use crate::engine::decision::{Decision, RunAction};
use crate::engine::failure::{Halt, ANSWER_LOST};
use crate::engine::lookup::lookup;
use crate::engine::outcome::ContactOutcome;
use crate::engine::plan::Strategy;
use crate::salesforce::query::Record;
use crate::salesforce::SalesforceError;

impl Writer<'_> {
    pub(super) async fn insert(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<(), Halt> {
        let values = |item: &WriteItem| match &item.planned.decision {
            Decision::Insert { values } => values.to_record(),
            _ => Record::new(),
        };
        let mut todo = items;
        for attempt in 1..=ATTEMPTS {
            if todo.is_empty() {
                return Ok(());
            }
            self.backoff(attempt).await;
            let last = attempt == ATTEMPTS;
            let batch = self.batch(todo.iter().map(values).collect())?;
            match self.client.create_records(&batch).await {
                Ok(results) => {
                    let mut again = Vec::new();
                    for (item, result) in todo.into_iter().zip(results) {
                        if !last && transient(&result) {
                            again.push(item);
                        } else if result.success {
                            let ids = result.id.into_iter().collect();
                            out.push(ContactOutcome::written(
                                &item.planned,
                                &item.email,
                                RunAction::Insert,
                                ids,
                            ));
                        } else {
                            let (code, message) = first_error(&result);
                            out.push(ContactOutcome::failed(
                                &item.planned,
                                &item.email,
                                RunAction::Insert,
                                &code,
                                &message,
                            ));
                        }
                    }
                    todo = again;
                }
                Err(SalesforceError::Ambiguous) => {
                    tracing::warn!(
                        records = todo.len(),
                        "an insert's answer was lost; looking the records up before sending again"
                    );
                    todo = match self.landed(todo, out).await {
                        Ok(rest) => rest,
                        Err((rest, error)) => {
                            return Self::fail_all(rest, RunAction::Insert, &error, out)
                        }
                    };
                }
                Err(error) => return Self::fail_all(todo, RunAction::Insert, &error, out),
            }
        }
        for item in todo {
            out.push(ContactOutcome::failed(
                &item.planned,
                &item.email,
                RunAction::Insert,
                ANSWER_LOST,
                "Salesforce's answer was lost on every try and the record was not found afterwards",
            ));
        }
        Ok(())
    }

    /// After a lost insert answer: logs the items whose record is now in Salesforce (found by match key) as
    /// inserted, and returns the rest, which were not applied and may be sent again.
    pub(super) async fn landed(
        &self,
        items: Vec<WriteItem>,
        out: &mut Vec<ContactOutcome>,
    ) -> Result<Vec<WriteItem>, (Vec<WriteItem>, SalesforceError)> {
        let Strategy::Lookup { match_field } = self.planner.strategy() else {
            return Ok(items);
        };
        let value = |item: &WriteItem| match &item.planned.decision {
            Decision::Insert { values } => values.get(match_field).cloned(),
            _ => None,
        };
        let values: Vec<serde_json::Value> = items.iter().filter_map(value).collect();
        let index = match lookup(self.client, self.planner, match_field, &values).await {
            Ok(index) => index,
            Err(error) => return Err((items, error)),
        };
        let mut rest = Vec::new();
        for item in items {
            let found = item
                .planned
                .key
                .as_ref()
                .and_then(|key| index.matches(key).first());
            match found {
                Some(record) => out.push(ContactOutcome::written(
                    &item.planned,
                    &item.email,
                    RunAction::Insert,
                    vec![record.id.clone()],
                )),
                None => rest.push(item),
            }
        }
        Ok(rest)
    }
}
