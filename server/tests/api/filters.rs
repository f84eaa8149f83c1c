//! Sync filters, translated to SQL, select the right contacts on SQLite and PostgreSQL.

use crate::helpers::TestDb;
use proptest::prelude::*;
use server::storage::{Storage, WorkspaceId};
use shared::contact::custom::CustomProperty;
use shared::contact::fields::{FieldCatalog, FieldType};
use shared::contact::{ContactInput, NewContact};
use shared::sync::filter::{operators_for, Combine, Filter, FilterRule, Operator};
use shared::WorkspaceName;

struct Seeded {
    _db: TestDb,
    storage: Storage,
    workspace: WorkspaceId,
    catalog: FieldCatalog,
}

/// Six contacts with a spread of values, and two custom properties.
async fn seeded() -> Seeded {
    let db = TestDb::new().await;
    let storage = Storage::connect(&db.url).await.expect("storage");
    let workspace = storage
        .create_workspace(&WorkspaceName::parse("Acme").expect("name"))
        .await
        .expect("ws");
    let properties = vec![
        CustomProperty::parse("shoe_size", "Shoe size", "number", "").expect("property"),
        CustomProperty::parse("tier", "Tier", "single_choice", "gold, silver").expect("property"),
    ];
    for property in &properties {
        storage
            .create_contact_property(workspace, property)
            .await
            .expect("property saved");
    }
    let rows: [&[(&str, &str)]; 6] = [
        &[
            ("email", "ada@acme.example"),
            ("first_name", "Ada"),
            ("city", "London"),
            ("date_of_birth", "1990-12-10"),
            ("marketing_opt_in", "yes"),
            ("tags", "vip, winter"),
            ("shoe_size", "38"),
            ("tier", "gold"),
        ],
        &[
            ("email", "bob@acme.example"),
            ("first_name", "Bob"),
            ("city", "Leeds"),
            ("date_of_birth", "1985-01-02"),
            ("marketing_opt_in", "no"),
            ("shoe_size", "44"),
        ],
        &[
            ("email", "cy@globex.example"),
            ("first_name", "Cy"),
            ("city", "london"),
            ("tier", "silver"),
        ],
        &[
            ("email", "di_50%@acme.example"),
            ("first_name", "Di"),
            ("city", "Paris"),
            ("tags", "summer"),
        ],
        &[
            ("email", "ed@initech.example"),
            ("first_name", "Ed"),
            ("date_of_birth", "2001-05-05"),
            ("shoe_size", "41.5"),
        ],
        &[
            ("email", "flo@acme.example"),
            ("first_name", "Flo"),
            ("city", ""),
        ],
    ];
    let contacts: Vec<NewContact> = rows
        .iter()
        .map(|fields| {
            let mut input = ContactInput::default();
            for (key, value) in *fields {
                input.set(key, (*value).to_owned());
            }
            NewContact::parse(input, &properties).expect("valid contact")
        })
        .collect();
    storage
        .upsert_contacts(workspace, &contacts)
        .await
        .expect("seeded");
    Seeded {
        _db: db,
        storage,
        workspace,
        catalog: FieldCatalog::new(&properties),
    }
}

impl Seeded {
    async fn count(&self, combine: Combine, rules: &[(&str, Operator, &str)]) -> i64 {
        let filter = Filter {
            combine,
            rules: rules
                .iter()
                .map(|(field, operator, value)| FilterRule {
                    field: (*field).into(),
                    operator: *operator,
                    value: (*value).into(),
                })
                .collect(),
        };
        let checked = filter.check(&self.catalog).expect("valid filter");
        self.storage
            .count_matching_contacts(self.workspace, &checked, combine)
            .await
            .expect("query runs")
    }
}

#[tokio::test]
async fn each_operator_selects_the_right_contacts() {
    let s = seeded().await;
    use Operator::*;
    let cases: &[(&str, Operator, &str, i64)] = &[
        ("city", Equals, "LONDON", 2),
        ("city", NotEquals, "london", 4),
        ("city", Contains, "ee", 1),
        ("city", DoesNotContain, "on", 4),
        ("city", StartsWith, "lo", 2),
        ("city", IsEmpty, "", 2),
        ("city", IsNotEmpty, "", 4),
        ("city", IsAnyOf, "Leeds, Paris", 2),
        ("email", Contains, "50%", 1),
        ("email", Contains, "_", 1),
        ("email", StartsWith, "%", 0),
        ("email", Contains, "@acme.example", 4),
        ("date_of_birth", Before, "1990-12-10", 1),
        ("date_of_birth", After, "1990-12-10", 1),
        ("date_of_birth", Equals, "1990-12-10", 1),
        ("date_of_birth", IsEmpty, "", 3),
        ("marketing_opt_in", IsTrue, "", 1),
        ("marketing_opt_in", IsFalse, "", 5),
        ("tags", Contains, "VIP", 1),
        ("tags", Contains, "vi", 0),
        ("tags", DoesNotContain, "summer", 5),
        ("tags", IsEmpty, "", 4),
        ("created_at", WithinLastDays, "1", 6),
        ("created_at", Before, "2000-01-01", 0),
        ("created_at", After, "2000-01-01", 6),
        ("updated_at", IsEmpty, "", 0),
        ("shoe_size", GreaterThan, "40", 2),
        ("shoe_size", LessThan, "41.5", 1),
        ("shoe_size", Equals, "41.5", 1),
        ("shoe_size", NotEquals, "44", 5),
        ("shoe_size", IsEmpty, "", 3),
        ("tier", Equals, "gold", 1),
        ("tier", IsAnyOf, "gold, silver", 2),
        ("tier", IsNotEmpty, "", 2),
    ];
    for (field, operator, value, expected) in cases {
        let got = s.count(Combine::All, &[(field, *operator, value)]).await;
        assert_eq!(got, *expected, "{field} {} {value:?}", operator.label());
    }
}

#[tokio::test]
async fn all_and_any_combine_rules() {
    let s = seeded().await;
    let rules = [
        ("city", Operator::Equals, "london"),
        ("shoe_size", Operator::GreaterThan, "40"),
    ];
    assert_eq!(s.count(Combine::All, &rules).await, 0);
    assert_eq!(s.count(Combine::Any, &rules).await, 4);
    assert_eq!(
        s.count(Combine::All, &[]).await,
        6,
        "no rules select everyone"
    );
}

#[tokio::test]
async fn another_workspaces_contacts_are_never_counted() {
    let s = seeded().await;
    let other = s
        .storage
        .create_workspace(&WorkspaceName::parse("Other").expect("name"))
        .await
        .expect("ws");
    assert_eq!(
        s.storage
            .count_matching_contacts(other, &[], Combine::All)
            .await
            .expect("count"),
        0
    );
}

/// A value that fits the operator for any field type, or nonsense that `check` must refuse cleanly.
fn value_for(field_type: FieldType, operator: Operator, pick: u8, text: &str) -> String {
    if !operator.takes_value() {
        return String::new();
    }
    match (operator, field_type, pick % 4) {
        (_, _, 3) => text.to_owned(),
        (Operator::WithinLastDays, _, _) => format!("{}", u32::from(pick) + 1),
        (_, FieldType::Number, _) => format!("{}.5", pick),
        (_, FieldType::Date | FieldType::Timestamp, _) => {
            format!("20{:02}-0{}-1{}", pick % 30, pick % 9 + 1, pick % 9)
        }
        (_, FieldType::SingleChoice, _) => "gold".to_owned(),
        _ => text.to_owned(),
    }
}

/// Any filter the editor can produce either is refused by `check` with a message, or runs as SQL on the real
/// database without an error (quotes, `%`, `_`, backslashes and unicode included). One seeded database
/// serves every generated case.
#[test]
fn every_checked_filter_runs_on_the_database() {
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let s = runtime.block_on(seeded());
    let fields = s.catalog.fields().to_vec();
    let strategy = (
        proptest::collection::vec((0usize..64, 0usize..16, any::<u8>(), "\\PC{0,12}"), 1..5),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let outcome = runner.run(&strategy, |(picks, any_of)| {
        let rules: Vec<FilterRule> = picks
            .iter()
            .map(|(f, o, pick, text)| {
                let def = &fields[f % fields.len()];
                let ops = operators_for(def.field_type);
                let operator = ops[o % ops.len()];
                FilterRule {
                    field: def.key.clone(),
                    operator,
                    value: value_for(def.field_type, operator, *pick, text),
                }
            })
            .collect();
        let combine = if any_of { Combine::Any } else { Combine::All };
        let filter = Filter { combine, rules };
        if let Ok(checked) = filter.check(&s.catalog) {
            let count = runtime.block_on(s.storage.count_matching_contacts(
                s.workspace,
                &checked,
                combine,
            ));
            let count =
                count.map_err(|e| TestCaseError::fail(format!("{filter:?} failed: {e:?}")))?;
            prop_assert!((0..=6).contains(&count));
        }
        Ok(())
    });
    outcome.expect("every generated filter runs");
}
