//! Property tests over the whole pure pipeline (map → hash → plan): random contacts, sync configurations,
//! CRM lookup states (including faults: fields the lookup did not select, the same record twice, missing
//! dates, values out of range) and previous hashes. Filters are not here: they run as SQL, never in memory.
mod strategies;

use super::fixtures::{catalog, describe};
use super::*;
use proptest::prelude::*;
use serde_json::Value;
use shared::sync::config::{DuplicatePolicy, MatchAction, NoMatchAction, Overwrite, SyncConfig};
use shared::sync::crm::CrmField;
use strategies::{case, komo_contact, records, sync, Case, Previous};

fn find<'a>(describe: &'a [CrmField], name: &str) -> Option<&'a CrmField> {
    describe.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Every value sent fits its field as the describe has it.
fn fits(describe: &[CrmField], values: &Values) -> Result<(), TestCaseError> {
    prop_assert!(!values.is_empty());
    for (name, value) in values.iter() {
        let field = find(describe, name);
        prop_assert!(field.is_some(), "{name} is not in the describe");
        let Some(field) = field else { continue };
        prop_assert!(!value.is_null(), "{name} would be cleared");
        if let Value::String(s) = value {
            prop_assert!(!s.trim().is_empty(), "{name} is blank");
            let limit = field.length as usize;
            prop_assert!(
                limit == 0 || s.encode_utf16().count() <= limit,
                "{name}: {s}"
            );
            if field.restricted_picklist {
                for part in s.split(';') {
                    prop_assert!(
                        field.picklist_values.iter().any(|v| v == part),
                        "{name}: {part}"
                    );
                }
            }
        }
    }
    Ok(())
}

fn rule_of(sync: &SyncConfig, field: &str) -> Option<Overwrite> {
    sync.mappings
        .iter()
        .find(|m| m.crm_field.eq_ignore_ascii_case(field))
        .map(|m| m.overwrite)
}

fn check_case(
    sync: &SyncConfig,
    planner: &Planner,
    mapper: &Mapper,
    full_resync: bool,
    case: &Case,
) -> Result<(), TestCaseError> {
    let describe = describe();
    let mapped = mapper.map(&case.contact);
    let current = mapped
        .as_ref()
        .ok()
        .map(|m| PushHash::of(planner.object(), &mapper.match_field().name, m));
    let previous = match case.previous {
        Previous::Never => None,
        Previous::Current => current.clone(),
        Previous::Stale => Some(PushHash::from_stored("0".repeat(64))),
    };
    let matches = records(planner, mapped.as_ref().ok(), &case.records);
    let prepared = planner.prepare(&case.contact, previous.as_ref());
    prop_assert_eq!(
        &prepared,
        &planner.prepare(&case.contact, previous.as_ref()),
        "pure"
    );
    let (planned, looked_up) = match prepared {
        Prepared::Done(planned) => (planned, false),
        Prepared::Lookup(pending) => {
            prop_assert_eq!(pending.contact_id(), case.contact.id);
            prop_assert!(
                matches!(planner.strategy(), plan::Strategy::Lookup { .. }),
                "a lookup only when not upserting"
            );
            (planner.decide(pending, &matches), true)
        }
    };
    prop_assert_eq!(planned.contact_id, case.contact.id);
    let decision = &planned.decision;
    let mut ids: Vec<&str> = matches.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();

    // An invalid contact is refused before anything else, and sends nothing.
    if mapped.is_err() {
        prop_assert!(matches!(decision, Decision::Invalid(_)) && !looked_up);
    }
    // An unchanged hash never writes, and needs no lookup, unless resyncing.
    if mapped.is_ok() && previous == current && !full_resync {
        prop_assert_eq!(decision, &Decision::Unchanged(Unchanged::SinceLastPush));
    }
    if looked_up {
        // Do-nothing actions never write.
        if ids.is_empty() && sync.on_no_match == NoMatchAction::DoNothing {
            prop_assert!(!decision.writes(), "{decision:?}");
        }
        if !ids.is_empty() && sync.on_match == MatchAction::DoNothing {
            prop_assert!(!decision.writes(), "{decision:?}");
        }
        // Mark-as-error with several matches never writes.
        if ids.len() > 1
            && sync.on_match == MatchAction::Update
            && sync.duplicates == DuplicatePolicy::MarkAsError
        {
            prop_assert!(
                matches!(decision, Decision::DuplicateError { .. }),
                "{decision:?}"
            );
        }
    }
    match decision {
        Decision::Insert { values } => {
            prop_assert!(
                looked_up && ids.is_empty(),
                "insert only when nothing matches"
            );
            prop_assert_eq!(sync.on_no_match, NoMatchAction::Insert);
            fits(&describe, values)?;
            let key = values.get(&sync.match_pair.crm_field);
            prop_assert!(key.is_some(), "the match value goes in");
            // Idempotence: with the inserted record as the only match, a second plan writes nothing.
            if sync.on_match == MatchAction::Update {
                let inserted = CrmRecord {
                    id: "003NEW".into(),
                    last_modified: String::new(),
                    values: values.to_record(),
                };
                if let Prepared::Lookup(again) = planner.prepare(&case.contact, None) {
                    let second = planner.decide(again, &[inserted]).decision;
                    prop_assert!(
                        matches!(second, Decision::Unchanged(Unchanged::AlreadyInCrm { .. })),
                        "{second:?}"
                    );
                }
            }
        }
        Decision::Update { writes } => {
            prop_assert!(looked_up && !ids.is_empty());
            prop_assert_eq!(sync.on_match, MatchAction::Update);
            if sync.duplicates == DuplicatePolicy::MarkAsError {
                prop_assert_eq!(ids.len(), 1);
            }
            if sync.duplicates == DuplicatePolicy::UpdateMostRecent {
                prop_assert_eq!(writes.len(), 1);
                // A record the lookup returned twice counts as its first copy, as in the plan.
                let first = |id: &str| matches.iter().find(|r| r.id == id);
                let newest = ids
                    .iter()
                    .filter_map(|id| first(id))
                    .map(|r| &r.last_modified)
                    .max();
                let chosen = first(&writes[0].id);
                prop_assert_eq!(chosen.map(|r| &r.last_modified), newest);
            }
            let mut written: Vec<&str> = writes.iter().map(|w| w.id.as_str()).collect();
            written.sort_unstable();
            written.dedup();
            prop_assert_eq!(written.len(), writes.len(), "a record written twice");
            for write in writes {
                prop_assert!(ids.contains(&write.id.as_str()));
                fits(&describe, &write.values)?;
                let record = matches.iter().find(|r| r.id == write.id);
                for (field, _) in write.values.iter() {
                    match rule_of(sync, field) {
                        Some(Overwrite::NeverOnUpdate) => {
                            return Err(TestCaseError::fail(format!("{field} written on update")))
                        }
                        Some(Overwrite::OnlyWhenEmpty) => {
                            let current = record.and_then(|r| r.value(field));
                            prop_assert!(
                                current.is_some_and(overwrite::is_empty),
                                "{field} over {current:?}"
                            );
                        }
                        Some(Overwrite::Always) => {}
                        None => return Err(TestCaseError::fail(format!("{field} is not mapped"))),
                    }
                }
            }
        }
        Decision::Upsert { key_field, values } => {
            prop_assert!(!looked_up);
            prop_assert!(
                matches!(planner.strategy(), plan::Strategy::Upsert { .. }),
                "an upsert only when upserting"
            );
            prop_assert!(values.get(key_field).is_some());
            fits(&describe, values)?;
        }
        Decision::DuplicateError { ids: reported } => {
            prop_assert_eq!(sync.duplicates, DuplicatePolicy::MarkAsError);
            prop_assert_eq!(reported.len(), ids.len());
        }
        Decision::Skip(_) | Decision::Unchanged(_) | Decision::Invalid(_) => {}
    }
    // A hash is handed out exactly when there is something to remember.
    let remember = decision.writes()
        || matches!(
            decision,
            Decision::Unchanged(Unchanged::AlreadyInCrm { .. })
        );
    prop_assert_eq!(planned.hash.is_some(), remember);
    if let Some(hash) = &planned.hash {
        prop_assert_eq!(Some(hash), current.as_ref());
    }
    prop_assert!(
        decision.action().is_some() || matches!(decision, Decision::Upsert { .. }),
        "only an upsert waits for its answer to name its action"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_contact_gets_exactly_one_decision_that_keeps_the_rules(
        sync in sync(),
        full_resync in any::<bool>(),
        cases in proptest::collection::vec(case(), 1..8),
    ) {
        let describe = describe();
        let planner = Planner::new(&sync, &catalog(), &describe, full_resync);
        prop_assert!(planner.is_ok(), "{:?}", planner.err());
        let Ok(planner) = planner else { return Ok(()) };
        let mapper = Mapper::new(&sync, &describe).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Ids by position; `check_case` asserts each contact's one decision carries its id.
        for (id, case) in (1..).zip(&cases) {
            let mut case = case.clone();
            case.contact.id = id;
            check_case(&sync, &planner, &mapper, full_resync, &case)?;
        }
    }

    #[test]
    fn the_hash_depends_only_on_what_would_be_sent(
        sync in sync(),
        contact in komo_contact(),
        city in "[a-z]{0,8}",
    ) {
        let mapper = Mapper::new(&sync, &describe()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Ok(mapped) = mapper.map(&contact) else { return Ok(()) };
        let mut moved = contact.clone();
        moved.city = city;
        moved.updated_at += 60;
        let mut reordered = sync.clone();
        reordered.mappings.reverse();
        let again = Mapper::new(&reordered, &describe())
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .map(&moved)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            PushHash::of("Contact", "Email", &mapped),
            PushHash::of("Contact", "Email", &again)
        );
    }
}
