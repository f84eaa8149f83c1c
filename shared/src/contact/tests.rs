use super::custom::{CustomProperty, PropertyValue};
use super::*;
use proptest::prelude::*;

fn input(email: &str, pairs: &[(&str, &str)]) -> ContactInput {
    let mut input = ContactInput {
        email: email.to_owned(),
        ..ContactInput::default()
    };
    for (k, v) in pairs {
        input.set(k, (*v).to_owned());
    }
    input
}

fn shoe_size() -> CustomProperty {
    CustomProperty::parse("shoe_size", "Shoe size", "number", "").expect("def")
}

#[test]
fn a_full_row_parses_with_trimmed_values() {
    let contact = NewContact::parse(
        input(
            " Ada@Example.COM ",
            &[
                ("first_name", " Ada "),
                ("date_of_birth", "1815-12-10"),
                ("marketing_opt_in", "yes"),
                ("tags", "vip, Speaker ,vip,"),
                ("shoe_size", "38"),
            ],
        ),
        &[shoe_size()],
    )
    .expect("valid");
    assert_eq!(contact.email.as_str(), "ada@example.com");
    assert_eq!(contact.text.first_name.as_deref(), Some("Ada"));
    assert_eq!(contact.text.last_name, None, "absent means keep");
    assert_eq!(
        contact
            .date_of_birth
            .flatten()
            .map(|d| d.to_string())
            .as_deref(),
        Some("1815-12-10")
    );
    assert_eq!(contact.marketing_opt_in, Some(true));
    assert_eq!(
        contact.tags,
        Some(vec!["vip".to_owned(), "Speaker".to_owned()])
    );
    assert_eq!(
        contact.custom.get("shoe_size"),
        Some(&Some(PropertyValue::Number(38.0)))
    );
}

#[test]
fn blank_clears_and_every_problem_is_reported_with_its_field() {
    let cleared = NewContact::parse(
        input("a@b.co", &[("phone", ""), ("date_of_birth", " ")]),
        &[],
    )
    .expect("valid");
    assert_eq!(cleared.text.phone.as_deref(), Some(""));
    assert_eq!(cleared.date_of_birth, Some(None));

    let errors = NewContact::parse(
        input(
            "not-an-email",
            &[
                ("date_of_birth", "10/12/1815"),
                ("marketing_opt_in", "maybe"),
                ("favourite_colour", "red"),
                ("created_at", "0"),
                ("shoe_size", "big"),
            ],
        ),
        &[shoe_size()],
    )
    .expect_err("invalid");
    let fields: Vec<&str> = errors.iter().map(ContactError::field).collect();
    for expected in [
        "email",
        "date_of_birth",
        "marketing_opt_in",
        "favourite_colour",
        "created_at",
        "shoe_size",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
}

#[test]
fn opt_in_time_accepts_unix_seconds_or_a_date() {
    let at = |raw: &str| {
        NewContact::parse(input("a@b.co", &[("marketing_opt_in_at", raw)]), &[])
            .map(|c| c.marketing_opt_in_at)
    };
    assert_eq!(at("1700000000"), Ok(Some(1_700_000_000)));
    assert_eq!(at("1970-01-02"), Ok(Some(86_400)));
    assert!(at("yesterday").is_err());
}

proptest! {
    #[test]
    fn text_fields_keep_any_short_value_trimmed(value in "[^\u{0}]{0,255}") {
        let parsed = NewContact::parse(input("a@b.co", &[("company", &value)]), &[]).expect("valid");
        prop_assert_eq!(parsed.text.company, Some(value.trim().to_owned()));
    }

    #[test]
    fn overlong_text_is_refused(value in "[a-z]{256,300}") {
        let errors = NewContact::parse(input("a@b.co", &[("city", &value)]), &[]).expect_err("too long");
        prop_assert_eq!(errors[0].field(), "city");
    }

    #[test]
    fn tags_never_repeat_ignoring_case(tags in proptest::collection::vec("[a-zA-Z]{1,5}", 0..20)) {
        let parsed = NewContact::parse(input("a@b.co", &[("tags", &tags.join(","))]), &[]).expect("valid");
        let kept = parsed.tags.unwrap_or_default();
        let mut lowered: Vec<String> = kept.iter().map(|t| t.to_lowercase()).collect();
        lowered.sort();
        lowered.dedup();
        prop_assert_eq!(lowered.len(), kept.len());
    }

    #[test]
    fn parsing_never_panics(email in ".{0,40}", key in "[a-z_]{0,20}", value in ".{0,40}") {
        let _ = NewContact::parse(input(&email, &[(&key, &value)]), &[shoe_size()]);
    }
}
