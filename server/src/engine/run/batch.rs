//! Step 3 of a small run for one batch: prepare each contact, look up the rest by match key, decide, and
//! write through sObject Collections.
//!
//! Contacts of one batch that share a match key are decided in successive rounds, each after the previous
//! round's writes: two Komo contacts with one key must not both be inserted.

use super::Ready;
use crate::engine::clock::Phase;
use crate::engine::decision::{Planned, RunAction};
use crate::engine::failure::{classify, Failure, Halt};
use crate::engine::hash::PushHash;
use crate::engine::index::MatchKey;
use crate::engine::lookup::lookup;
use crate::engine::outcome::ContactOutcome;
use crate::engine::plan::{Pending, Prepared, Strategy};
use crate::engine::writer::{WriteItem, Writer};
use crate::storage::contacts::matching::SelectedContact;
use std::collections::HashMap;

/// A contact on its way through one batch.
enum Work {
    /// Needs the lookup.
    Pending(Pending),
    /// Decided already (an upsert).
    Ready(Planned),
}

impl Work {
    fn key(&self) -> Option<&MatchKey> {
        match self {
            Work::Pending(p) => Some(p.key()),
            Work::Ready(p) => p.key.as_ref(),
        }
    }
}

/// Splits work so that no round holds one match key twice, keeping order within each round.
fn rounds(work: Vec<Work>) -> Vec<Vec<Work>> {
    let mut seen: HashMap<MatchKey, usize> = HashMap::new();
    let mut rounds: Vec<Vec<Work>> = Vec::new();
    for item in work {
        let round = match item.key() {
            Some(key) => {
                let n = seen.entry(key.clone()).or_insert(0);
                *n += 1;
                *n - 1
            }
            None => 0,
        };
        if rounds.len() <= round {
            rounds.resize_with(round + 1, Vec::new);
        }
        rounds[round].push(item);
    }
    rounds
}

/// Step 3 for one batch: every contact's outcome, and the halt that cut it short, if any (contacts not
/// answered by then have no outcome and are not recorded).
pub(crate) async fn push_batch(
    ready: &Ready,
    page: Vec<SelectedContact>,
) -> (Vec<ContactOutcome>, Option<Halt>) {
    let planner = &ready.planner;
    let client = &ready.org.client;
    let mut emails: HashMap<i64, String> = HashMap::with_capacity(page.len());
    let mut out = Vec::with_capacity(page.len());
    let mut work = Vec::new();
    for selected in page {
        let email = selected.contact.email.as_str().to_owned();
        let previous = selected.last_hash.map(PushHash::from_stored);
        match planner.prepare(&selected.contact, previous.as_ref()) {
            Prepared::Done(planned) if planned.decision.writes() => {
                emails.insert(planned.contact_id, email);
                work.push(Work::Ready(planned));
            }
            Prepared::Done(planned) => out.push(ContactOutcome::decided(planned, email)),
            Prepared::Lookup(pending) => {
                emails.insert(pending.contact_id(), email);
                work.push(Work::Pending(pending));
            }
        }
    }
    ready.clock.lap(Phase::Prepare);
    let email_of = |id: i64| emails.get(&id).cloned().unwrap_or_default();
    for round in rounds(work) {
        let mut pending = Vec::new();
        let mut decided = Vec::new();
        for item in round {
            match item {
                Work::Pending(p) => pending.push(p),
                Work::Ready(p) => decided.push(p),
            }
        }
        if let (false, Strategy::Lookup { match_field }) = (pending.is_empty(), planner.strategy())
        {
            let values: Vec<serde_json::Value> =
                pending.iter().map(|p| p.match_value().clone()).collect();
            let found = lookup(client, planner, match_field, &values).await;
            ready.clock.lap(Phase::Lookup);
            match found {
                Ok(index) => {
                    for p in pending {
                        let matches = index.matches(p.key());
                        decided.push(planner.decide(p, matches));
                    }
                }
                Err(error) => match classify(&error) {
                    Failure::Halt(halt) => return (out, Some(halt)),
                    Failure::Records { code, message } => {
                        // No decision could be made; logged as a failed update, the action that needs
                        // the lookup most.
                        for p in pending {
                            let id = p.contact_id();
                            out.push(ContactOutcome {
                                contact_id: id,
                                email: email_of(id),
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
                    }
                },
            }
        }
        let items = decided
            .into_iter()
            .map(|planned| WriteItem {
                email: email_of(planned.contact_id),
                planned,
            })
            .collect();
        ready.clock.lap(Phase::Prepare);
        let writer = Writer { client, planner };
        let written = writer.write(items, &mut out).await;
        ready.clock.lap(Phase::Send);
        if let Err(halt) = written {
            return (out, Some(halt));
        }
    }
    (out, None)
}
