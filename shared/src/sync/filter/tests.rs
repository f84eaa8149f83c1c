//! Filter rules checked against the catalog.
use super::*;

fn rule(field: &str, operator: Operator, value: &str) -> FilterRule {
    FilterRule {
        field: field.into(),
        operator,
        value: value.into(),
    }
}

#[test]
fn every_field_type_offers_at_least_the_empty_checks_or_a_boolean_pair() {
    for t in [
        FieldType::Text,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Number,
        FieldType::Date,
        FieldType::Boolean,
        FieldType::SingleChoice,
        FieldType::Tags,
        FieldType::Timestamp,
    ] {
        let ops = operators_for(t);
        assert!(
            ops.contains(&Operator::IsEmpty) || ops.contains(&Operator::IsTrue),
            "{t:?}"
        );
    }
}

#[test]
fn good_rules_are_parsed_for_their_type() {
    let catalog = FieldCatalog::new(&[]);
    let checked = rule("city", Operator::Equals, " Leeds ")
        .check(&catalog)
        .expect("ok");
    assert_eq!(checked.column, Column::Standard(StandardField::City));
    assert_eq!(checked.operand, Operand::Text("Leeds".into()));
    let checked = rule("created_at", Operator::WithinLastDays, "30")
        .check(&catalog)
        .expect("ok");
    assert_eq!(checked.operand, Operand::Days(30));
    let checked = rule("country", Operator::IsAnyOf, "UK, Ireland,,")
        .check(&catalog)
        .expect("ok");
    assert_eq!(
        checked.operand,
        Operand::List(vec!["UK".into(), "Ireland".into()])
    );
    let checked = rule("marketing_opt_in", Operator::IsTrue, "")
        .check(&catalog)
        .expect("ok");
    assert_eq!(checked.operand, Operand::None);
    let checked = rule("date_of_birth", Operator::Before, "2000-01-31")
        .check(&catalog)
        .expect("ok");
    assert_eq!(
        checked.operand,
        Operand::Date(CalendarDate::parse("2000-01-31").expect("date"))
    );
}

#[test]
fn bad_rules_name_the_field_and_the_problem() {
    let catalog = FieldCatalog::new(&[]);
    let cases = [
        (
            rule("shoe_size", Operator::Equals, "9"),
            "\"shoe_size\" is not a contact field",
        ),
        (
            rule("city", Operator::GreaterThan, "x"),
            "City: \"is greater than\" does not apply to this kind of field",
        ),
        (rule("city", Operator::Equals, "  "), "City: enter a value"),
        (
            rule("created_at", Operator::WithinLastDays, "-3"),
            "Created at: enter a whole number of days from 1 to 36500",
        ),
        (
            rule("date_of_birth", Operator::After, "31/01/2000"),
            "Date of birth: enter a date as YYYY-MM-DD",
        ),
        (
            rule("marketing_opt_in", Operator::Equals, "yes"),
            "Marketing opt-in: \"equals\" does not apply to this kind of field",
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(
            rule.check(&catalog).expect_err(expected).to_string(),
            expected
        );
    }
}

#[test]
fn the_position_of_the_first_bad_rule_is_reported() {
    let catalog = FieldCatalog::new(&[]);
    let filter = Filter {
        combine: Combine::Any,
        rules: vec![
            rule("city", Operator::Equals, "Leeds"),
            rule("nope", Operator::Equals, "x"),
        ],
    };
    assert_eq!(filter.check(&catalog).expect_err("bad").0, 1);
}
