//! Generators for the property tests: syncs Save accepts, contacts, lookup states with faults, previous
//! hashes.
use crate::engine::fixtures::{contact, map};
use crate::engine::{CrmRecord, MappedContact, Planner};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::strategy::Strategy;
use serde_json::Value;
use shared::contact::custom::PropertyValue;
use shared::contact::Contact;
use shared::sync::config::{
    DuplicatePolicy, FieldMapping, MappingSource, MatchAction, MatchPair, NoMatchAction, Overwrite,
    SyncConfig,
};

const EMAILS: [&str; 4] = [
    "ada@example.com",
    "bob@example.com",
    "cy@example.com",
    "dee@example.com",
];

fn rule() -> impl Strategy<Value = Overwrite> {
    prop_oneof![
        2 => Just(Overwrite::Always),
        1 => Just(Overwrite::OnlyWhenEmpty),
        1 => Just(Overwrite::NeverOnUpdate),
    ]
}

/// Syncs Save would accept: never "do nothing" twice, LastName always mapped (it is required).
pub fn sync() -> impl Strategy<Value = SyncConfig> {
    let actions = prop_oneof![
        2 => Just((MatchAction::Update, NoMatchAction::Insert)),
        1 => Just((MatchAction::Update, NoMatchAction::DoNothing)),
        1 => Just((MatchAction::DoNothing, NoMatchAction::Insert)),
    ];
    let duplicates = select(vec![
        DuplicatePolicy::MarkAsError,
        DuplicatePolicy::UpdateAll,
        DuplicatePolicy::UpdateMostRecent,
    ]);
    let optional: Vec<_> = [
        ("first_name", "FirstName"),
        ("job_title", "Title"),
        ("score", "Score__c"),
        ("tags", "Interests__c"),
        ("marketing_opt_in", "HasOptedOutOfEmail"),
        ("marketing_opt_in_at", "Opt_In_At__c"),
    ]
    .into_iter()
    .map(|(key, field)| {
        proptest::option::of(rule()).prop_map(move |r| r.map(|r| map(key, field, r)))
    })
    .collect();
    // LeadSource: unmapped, from the `channel` property, or the constant "Web".
    let lead_source = (0usize..3, rule()).prop_map(|(how, overwrite)| match how {
        0 => None,
        1 => Some(map("channel", "LeadSource", overwrite)),
        _ => Some(FieldMapping {
            source: MappingSource::Constant("Web".into()),
            crm_field: "LeadSource".into(),
            overwrite,
        }),
    });
    // One sync in four writes "always" everywhere, so that External ID syncs upsert often enough.
    let shape = (
        any::<bool>(),
        actions,
        duplicates,
        proptest::bool::weighted(0.25),
    );
    (shape, rule(), optional, lead_source).prop_map(
        |(
            (on_komo_id, (on_match, on_no_match), duplicates, plain),
            last_name,
            optional,
            lead_source,
        )| {
            let mut mappings = vec![map("last_name", "LastName", last_name)];
            mappings.extend(optional.into_iter().flatten());
            mappings.extend(lead_source);
            if plain {
                for mapping in &mut mappings {
                    mapping.overwrite = Overwrite::Always;
                }
            }
            let match_pair = if on_komo_id {
                MatchPair {
                    komo_field: "komo_id".into(),
                    crm_field: "Komo_Id__c".into(),
                }
            } else {
                MatchPair::default()
            };
            SyncConfig {
                match_pair,
                on_match,
                on_no_match,
                duplicates,
                mappings,
                ..SyncConfig::default()
            }
        },
    )
}

pub fn komo_contact() -> impl Strategy<Value = Contact> {
    // Now and then a first name too long for FirstName (40): most contacts should be valid.
    let names = prop_oneof![
        6 => select(vec![String::new(), "Ada".into(), "  ".into()]),
        1 => Just("A".repeat(41)),
    ];
    let last_names = select(vec![String::new(), "Lovelace".into(), "Byron".into()]);
    let titles = select(vec![String::new(), "CEO".into(), "Analyst".into()]);
    (
        (0..EMAILS.len(), names, last_names, titles),
        (
            proptest::option::of(
                prop_oneof![4 => select(vec!["Web", "Other"]), 1 => Just("Print")],
            ),
            proptest::option::of(-1e6f64..1e6),
            subsequence(vec!["Golf", "sailing", "Chess", "golf"], 0..=4),
            proptest::option::weighted(0.9, 0u8..3),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                9 => -1_000_000_000i64..4_000_000_000,
                // Past year 9999, which no datetime field can take.
                1 => 253_402_300_800i64..260_000_000_000,
            ]),
        ),
    )
        .prop_map(
            |((email, first, last, title), (channel, score, tags, komo_id, opt_in, opt_in_at))| {
                let mut c = contact(0, EMAILS[email]);
                c.first_name = first;
                c.last_name = last;
                c.job_title = title;
                c.tags = tags.into_iter().map(str::to_owned).collect();
                c.marketing_opt_in = opt_in;
                c.marketing_opt_in_at = opt_in_at;
                if let Some(channel) = channel {
                    c.custom
                        .insert("channel".into(), PropertyValue::Choice(channel.into()));
                }
                if let Some(score) = score {
                    c.custom
                        .insert("score".into(), PropertyValue::Number(score));
                }
                if let Some(id) = komo_id {
                    c.custom
                        .insert("komo_id".into(), PropertyValue::Text(format!("K-{id}")));
                }
                c
            },
        )
}

/// What a lookup shows for one selected field.
#[derive(Debug, Clone, Copy)]
pub enum Shown {
    /// Not selected: a fault of the lookup, the value is unknown.
    Absent,
    Null,
    Ours,
    Other,
}

#[derive(Debug, Clone)]
pub struct RecordSpec {
    pub id: &'static str,
    pub last_modified: &'static str,
    pub shown: Vec<Shown>,
}

pub fn record_spec() -> impl Strategy<Value = RecordSpec> {
    let shown = select(vec![Shown::Absent, Shown::Null, Shown::Ours, Shown::Other]);
    (
        select(vec!["003A", "003B", "003C"]),
        select(vec![
            "",
            "2024-01-01T09:00:00.000+0000",
            "2024-06-01T09:00:00.000+0000",
        ]),
        proptest::collection::vec(shown, 12),
    )
        .prop_map(|(id, last_modified, shown)| RecordSpec {
            id,
            last_modified,
            shown,
        })
}

#[derive(Debug, Clone, Copy)]
pub enum Previous {
    Never,
    Current,
    Stale,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub contact: Contact,
    pub previous: Previous,
    pub records: Vec<RecordSpec>,
}

pub fn case() -> impl Strategy<Value = Case> {
    (
        komo_contact(),
        select(vec![Previous::Never, Previous::Current, Previous::Stale]),
        proptest::collection::vec(record_spec(), 0..4),
    )
        .prop_map(|(contact, previous, records)| Case {
            contact,
            previous,
            records,
        })
}

/// The lookup's records for one contact, built from the specs and the contact's own mapped values.
pub fn records(
    planner: &Planner,
    mapped: Option<&MappedContact>,
    specs: &[RecordSpec],
) -> Vec<CrmRecord> {
    let fields = planner.lookup_fields();
    specs
        .iter()
        .map(|spec| {
            let mut values = serde_json::Map::new();
            for (field, shown) in fields.iter().skip(2).zip(&spec.shown) {
                let ours = mapped.and_then(|m| {
                    m.values
                        .iter()
                        .find(|v| v.field.eq_ignore_ascii_case(field))
                        .map(|v| v.value.clone())
                });
                let value = match shown {
                    Shown::Absent => continue,
                    Shown::Null => Value::Null,
                    Shown::Ours => ours.unwrap_or(Value::Null),
                    Shown::Other => Value::String("something else".into()),
                };
                values.insert(field.clone(), value);
            }
            CrmRecord {
                id: spec.id.into(),
                last_modified: spec.last_modified.into(),
                values,
            }
        })
        .collect()
}
