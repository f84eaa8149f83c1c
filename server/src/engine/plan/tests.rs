//! Decisions case by case: actions, duplicate policies, overwrite rules, hashes and upsert.
use super::*;
use crate::engine::decision::RunAction;
use crate::engine::fixtures::{catalog, config, config_on_komo_id, contact, describe, map, record};
use serde_json::json;
use shared::contact::custom::PropertyValue;
use shared::sync::config::{FieldMapping, Overwrite};

const EARLY: &str = "2024-01-01T09:00:00.000+0000";
const LATE: &str = "2024-06-01T09:00:00.000+0000";

fn planner(sync: &SyncConfig) -> Planner {
    Planner::new(sync, &catalog(), &describe(), false).expect("a valid sync")
}

fn names() -> Vec<FieldMapping> {
    vec![
        map("first_name", "FirstName", Overwrite::Always),
        map("last_name", "LastName", Overwrite::NeverOnUpdate),
        map("job_title", "Title", Overwrite::OnlyWhenEmpty),
    ]
}

fn ada() -> Contact {
    let mut ada = contact(7, "Ada@example.com");
    ada.first_name = "Ada".into();
    ada.job_title = "Analyst".into();
    ada
}

fn decide(planner: &Planner, contact: &Contact, matches: &[CrmRecord]) -> Planned {
    match planner.prepare(contact, None) {
        Prepared::Lookup(pending) => planner.decide(pending, matches),
        Prepared::Done(planned) => panic!("expected a lookup, got {planned:?}"),
    }
}

fn fields(values: &Values) -> Vec<&str> {
    values.iter().map(|(f, _)| f).collect()
}

#[test]
fn no_match_inserts_everything_led_by_the_match_value_or_skips() {
    let planned = decide(&planner(&config(names())), &ada(), &[]);
    let Decision::Insert { values } = &planned.decision else {
        panic!("{planned:?}")
    };
    assert_eq!(fields(values), ["Email", "FirstName", "LastName", "Title"]);
    assert_eq!(values.get("email"), Some(&json!("ada@example.com")));
    assert!(planned.hash.is_some());
    assert_eq!(planned.decision.action(), Some(RunAction::Insert));

    let mut sync = config(names());
    sync.on_no_match = NoMatchAction::DoNothing;
    let planned = decide(&planner(&sync), &ada(), &[]);
    assert_eq!(planned.decision, Decision::Skip(Skip::NoMatchAndInsertsOff));
    assert_eq!(planned.hash, None, "a skip must not look pushed");
}

#[test]
fn a_blank_required_field_refuses_the_insert_but_not_the_update() {
    let mut nameless = ada();
    nameless.last_name.clear();
    let planner = planner(&config(names()));
    let planned = decide(&planner, &nameless, &[]);
    assert!(
        matches!(&planned.decision, Decision::Invalid(i) if i.code == Some("REQUIRED_FIELD_MISSING")),
        "{planned:?}"
    );
    assert_eq!(planned.hash, None);
    let existing = record(
        "003A",
        EARLY,
        json!({"FirstName": "Ida", "LastName": "L", "Title": null}),
    );
    let planned = decide(&planner, &nameless, &[existing]);
    assert!(matches!(planned.decision, Decision::Update { .. }));
}

#[test]
fn an_update_writes_only_what_the_rules_allow_and_the_crm_lacks() {
    let planner = planner(&config(names()));
    let existing = record(
        "003A",
        EARLY,
        json!({"FirstName": "Ida", "LastName": "Byron", "Title": null}),
    );
    let planned = decide(&planner, &ada(), &[existing]);
    let Decision::Update { writes } = &planned.decision else {
        panic!("{planned:?}")
    };
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].id, "003A");
    assert_eq!(fields(&writes[0].values), ["FirstName", "Title"]);
    let record = writes[0].to_record();
    assert_eq!(record.get("Id"), Some(&json!("003A")));
    assert_eq!(record.get("Title"), Some(&json!("Analyst")));

    let filled = record_with_title("003A", "Engineer", "Ida");
    let planned = decide(&planner, &ada(), &[filled]);
    let Decision::Update { writes } = &planned.decision else {
        panic!("{planned:?}")
    };
    assert_eq!(
        fields(&writes[0].values),
        ["FirstName"],
        "Title is not empty"
    );

    let same = record_with_title("003A", "Engineer", "Ada");
    let planned = decide(&planner, &ada(), &[same]);
    assert_eq!(
        planned.decision,
        Decision::Unchanged(Unchanged::AlreadyInCrm {
            ids: vec!["003A".into()]
        })
    );
    assert!(planned.hash.is_some(), "the CRM holds what we would push");
}

fn record_with_title(id: &str, title: &str, first_name: &str) -> CrmRecord {
    record(
        id,
        EARLY,
        json!({"FirstName": first_name, "LastName": "Byron", "Title": title}),
    )
}

#[test]
fn a_field_the_lookup_did_not_select_is_never_filled_only_when_empty() {
    let planner = planner(&config(names()));
    let unselected = record("003A", EARLY, json!({"FirstName": "Ada"}));
    let planned = decide(&planner, &ada(), &[unselected]);
    assert!(
        matches!(planned.decision, Decision::Unchanged(_)),
        "{planned:?}"
    );
}

#[test]
fn several_matches_follow_the_duplicate_policy() {
    let matches = [
        record("003B", LATE, json!({"FirstName": "Ada", "Title": null})),
        record("003A", EARLY, json!({"FirstName": "Bob", "Title": "CEO"})),
        record("003B", LATE, json!({"FirstName": "Ada", "Title": null})),
    ];
    let mut sync = config(names());
    let planned = decide(&planner(&sync), &ada(), &matches);
    assert_eq!(
        planned.decision,
        Decision::DuplicateError {
            ids: vec!["003B".into(), "003A".into()]
        },
        "each record once"
    );
    assert!(planned.decision.is_error());
    assert_eq!(planned.hash, None);

    sync.duplicates = DuplicatePolicy::UpdateAll;
    let Decision::Update { writes } = decide(&planner(&sync), &ada(), &matches).decision else {
        panic!("update all")
    };
    let per_record: Vec<(&str, Vec<&str>)> = writes
        .iter()
        .map(|w| (w.id.as_str(), fields(&w.values)))
        .collect();
    assert_eq!(
        per_record,
        [("003B", vec!["Title"]), ("003A", vec!["FirstName"])],
        "each record gets what its own values allow"
    );

    sync.duplicates = DuplicatePolicy::UpdateMostRecent;
    let planned = decide(&planner(&sync), &ada(), &matches);
    assert_eq!(planned.decision.crm_ids(), ["003B"]);
    let tied = [
        record("003A", LATE, json!({"Title": null})),
        record("003C", LATE, json!({"Title": null})),
    ];
    let planned = decide(&planner(&sync), &ada(), &tied);
    assert_eq!(
        planned.decision.crm_ids(),
        ["003C"],
        "a tie goes to the greater Id"
    );
}

#[test]
fn matched_records_are_left_alone_when_updates_are_off() {
    let mut sync = config(names());
    sync.on_match = MatchAction::DoNothing;
    let planned = decide(&planner(&sync), &ada(), &[record("003A", EARLY, json!({}))]);
    assert_eq!(
        planned.decision,
        Decision::Skip(Skip::MatchedButUpdatesOff {
            ids: vec!["003A".into()]
        })
    );
    assert_eq!(
        planned.decision.message().as_deref(),
        Some("Matches 003A in Salesforce; this sync does not update matching records")
    );
}

#[test]
fn an_unchanged_contact_is_settled_without_a_lookup_unless_resyncing() {
    let sync = config(names());
    let planner = planner(&sync);
    let Prepared::Lookup(pending) = planner.prepare(&ada(), None) else {
        panic!("lookup")
    };
    let last = planner
        .decide(pending, &[])
        .hash
        .expect("an insert keeps its hash");
    assert_eq!(
        planner.prepare(&ada(), Some(&last)),
        Prepared::Done(Planned {
            contact_id: 7,
            key: MatchKey::of(&json!("ada@example.com")),
            hash: None,
            decision: Decision::Unchanged(Unchanged::SinceLastPush),
        })
    );
    let mut renamed = ada();
    renamed.first_name = "Augusta".into();
    assert!(matches!(
        planner.prepare(&renamed, Some(&last)),
        Prepared::Lookup(_)
    ));
    let mut changed_elsewhere = ada();
    changed_elsewhere.city = "London".into();
    assert!(
        matches!(
            planner.prepare(&changed_elsewhere, Some(&last)),
            Prepared::Done(_)
        ),
        "an unmapped field does not count"
    );

    let resync = Planner::new(&sync, &catalog(), &describe(), true).expect("valid");
    assert!(matches!(
        resync.prepare(&ada(), Some(&last)),
        Prepared::Lookup(_)
    ));
}

#[test]
fn an_external_id_sync_upserts_without_a_lookup_when_every_rule_is_always() {
    let mappings = vec![map("last_name", "LastName", Overwrite::Always)];
    let planner = planner(&config_on_komo_id(mappings));
    assert_eq!(
        planner.strategy(),
        &Strategy::Upsert {
            key_field: "Komo_Id__c".into()
        }
    );
    let mut ada = ada();
    ada.custom
        .insert("komo_id".into(), PropertyValue::Text("K-1".into()));
    let Prepared::Done(planned) = planner.prepare(&ada, None) else {
        panic!("no lookup for an upsert")
    };
    let Decision::Upsert { key_field, values } = &planned.decision else {
        panic!("{planned:?}")
    };
    assert_eq!(key_field, "Komo_Id__c");
    assert_eq!(fields(values), ["Komo_Id__c", "LastName"]);
    assert_eq!(planned.decision.action(), None);
    assert!(planned.hash.is_some());

    let conditional = self::planner(&config_on_komo_id(names()));
    assert_eq!(
        conditional.strategy(),
        &Strategy::Lookup {
            match_field: "Komo_Id__c".into()
        },
        "only-when-empty needs the current values"
    );
}

#[test]
fn the_lookup_selects_ids_dates_and_every_mapped_field_once() {
    let mut mappings = names();
    mappings.push(map("email", "email", Overwrite::Always));
    let planner = planner(&config(mappings));
    assert_eq!(
        planner.lookup_fields(),
        [
            "Id",
            "LastModifiedDate",
            "Email",
            "FirstName",
            "LastName",
            "Title"
        ]
    );
    assert_eq!(planner.object(), "Contact");
}

#[test]
fn a_sync_that_no_longer_fits_the_org_does_not_start() {
    let shrunk: Vec<CrmField> = describe()
        .into_iter()
        .filter(|f| f.name != "Title")
        .collect();
    let error = Planner::new(&config(names()), &catalog(), &shrunk, false).expect_err("no Title");
    assert!(
        error.to_string().contains("Contact has no field \"Title\""),
        "{error}"
    );
}

#[test]
fn the_index_hands_each_contact_its_matches() {
    let planner = planner(&config(names()));
    let index = CrmIndex::new(
        "Email",
        [record(
            "003A",
            EARLY,
            json!({"Email": "ADA@example.com", "FirstName": "Ida", "LastName": "L", "Title": "CEO"}),
        )],
    );
    let planned = planner.plan(&ada(), None, &index);
    assert_eq!(planned.decision.crm_ids(), ["003A"]);
    let planned = planner.plan(&contact(8, "bob@example.com"), None, &index);
    assert_eq!(planned.decision.action(), Some(RunAction::Insert));
}
