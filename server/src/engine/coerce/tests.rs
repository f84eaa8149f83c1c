//! One value into one field, type by type, and the refusals Salesforce would give.
use super::*;
use crate::engine::fixtures::{field, picklist};
use serde_json::json;

fn text(s: &str) -> KomoValue {
    KomoValue::text(s)
}

fn date(s: &str) -> KomoValue {
    KomoValue::Date(CalendarDate::parse(s).expect("date"))
}

#[test]
fn a_blank_is_left_out_whatever_the_field() {
    for crm_type in [
        "string",
        "email",
        "picklist",
        "multipicklist",
        "boolean",
        "int",
        "double",
        "date",
        "datetime",
        "reference",
    ] {
        assert_eq!(
            coerce(&KomoValue::Blank, &field("F", crm_type, 10)),
            Ok(None),
            "{crm_type}"
        );
    }
    assert_eq!(text("   "), KomoValue::Blank);
}

#[test]
fn text_longer_than_the_field_is_refused_with_the_limit_counting_as_salesforce_does() {
    let first_name = field("FirstName", "string", 5);
    assert_eq!(coerce(&text("Ada"), &first_name), Ok(Some(json!("Ada"))));
    let refusal = coerce(&text("Adelaide"), &first_name).expect_err("too long");
    assert_eq!(
        refusal,
        Refusal::TooLong {
            length: 8,
            limit: 5
        }
    );
    assert_eq!(refusal.code(), Some("STRING_TOO_LONG"));
    assert!(refusal.to_string().contains("at most 5"), "{refusal}");
    assert!(coerce(&text("a😀b"), &first_name).is_ok());
    // Four characters, but an emoji is two UTF-16 units in Salesforce's count: six.
    assert!(coerce(&text("a😀b😀"), &first_name).is_err());
    assert_eq!(
        coerce(
            &text("x".repeat(300).as_str()),
            &field("Description", "textarea", 0)
        ),
        Ok(Some(json!("x".repeat(300)))),
        "length 0 means no limit"
    );
}

#[test]
fn emails_are_checked_and_lower_cased() {
    let email = field("Email", "email", 80);
    assert_eq!(
        coerce(&text(" Ada@Example.COM "), &email),
        Ok(Some(json!("ada@example.com")))
    );
    let refusal = coerce(&text("ada at example"), &email).expect_err("not an email");
    assert_eq!(refusal.code(), Some("INVALID_EMAIL_ADDRESS"));
    assert!(refusal.to_string().contains("ada at example"));
}

#[test]
fn restricted_picklists_take_only_their_values_in_their_spelling() {
    let source = picklist("LeadSource", "picklist", &["Web", "Other"], true);
    assert_eq!(coerce(&text("web"), &source), Ok(Some(json!("Web"))));
    let refusal = coerce(&text("Print"), &source).expect_err("not allowed");
    assert_eq!(
        refusal.code(),
        Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    );
    assert!(refusal.to_string().contains("(Web, Other)"), "{refusal}");
    let open = picklist("Rating", "picklist", &["Hot"], false);
    assert_eq!(coerce(&text("Print"), &open), Ok(Some(json!("Print"))));
    assert_eq!(coerce(&text("hot"), &open), Ok(Some(json!("Hot"))));
}

#[test]
fn tags_join_with_semicolons_once_each() {
    let interests = picklist("Interests__c", "multipicklist", &["Golf", "Sailing"], true);
    let tags = KomoValue::Tags(vec!["golf".into(), "Sailing".into(), "GOLF".into()]);
    assert_eq!(coerce(&tags, &interests), Ok(Some(json!("Golf;Sailing"))));
    let bad = KomoValue::Tags(vec!["Golf".into(), "Chess".into()]);
    assert!(matches!(
        coerce(&bad, &interests),
        Err(Refusal::NotAllowed { given, .. }) if given == "Chess"
    ));
    let open = picklist("Tags__c", "multipicklist", &[], false);
    assert_eq!(
        coerce(&KomoValue::Tags(vec!["a;b".into(), "c".into()]), &open),
        Ok(Some(json!("a;b;c")))
    );
    assert_eq!(coerce(&text("x; y"), &open), Ok(Some(json!("x;y"))));
}

#[test]
fn booleans_numbers_and_their_constants() {
    let flag = field("HasOptedOutOfEmail", "boolean", 0);
    assert_eq!(
        coerce(&KomoValue::Boolean(true), &flag),
        Ok(Some(json!(true)))
    );
    assert_eq!(coerce(&text("false"), &flag), Ok(Some(json!(false))));
    assert!(coerce(&text("maybe"), &flag).is_err());

    let score = field("Score__c", "double", 0);
    assert_eq!(
        coerce(&KomoValue::Number(4.5), &score),
        Ok(Some(json!(4.5)))
    );
    assert_eq!(coerce(&text("12"), &score), Ok(Some(json!(12.0))));
    assert!(matches!(
        coerce(&text("twelve"), &score),
        Err(Refusal::Unreadable { .. })
    ));

    let employees = field("NumberOfEmployees", "int", 0);
    assert_eq!(
        coerce(&KomoValue::Number(12.0), &employees),
        Ok(Some(json!(12)))
    );
    assert_eq!(
        coerce(&KomoValue::Number(4.5), &employees),
        Err(Refusal::NotWhole { given: 4.5 })
    );
    assert!(matches!(
        coerce(&KomoValue::Number(3e10), &employees),
        Err(Refusal::OutOfRange { .. })
    ));
    assert_eq!(
        coerce(&KomoValue::Number(3e10), &field("Big__c", "long", 0)),
        Ok(Some(json!(30_000_000_000_i64)))
    );
}

#[test]
fn dates_and_datetimes_are_iso_8601_in_utc() {
    let birthdate = field("Birthdate", "date", 0);
    assert_eq!(
        coerce(&date("1815-12-10"), &birthdate),
        Ok(Some(json!("1815-12-10")))
    );
    assert_eq!(
        coerce(&KomoValue::Timestamp(951_868_800 + 86_399), &birthdate),
        Ok(Some(json!("2000-03-01")))
    );
    assert!(coerce(&text("10/12/1815"), &birthdate).is_err());

    let at = field("Opt_In_At__c", "datetime", 0);
    assert_eq!(
        coerce(&KomoValue::Timestamp(951_868_800 + 3_661), &at),
        Ok(Some(json!("2000-03-01T01:01:01.000Z")))
    );
    assert_eq!(
        coerce(&KomoValue::Timestamp(-1), &at),
        Ok(Some(json!("1969-12-31T23:59:59.000Z")))
    );
    assert_eq!(
        coerce(&date("2024-02-29"), &at),
        Ok(Some(json!("2024-02-29T00:00:00.000Z")))
    );
    assert!(matches!(
        coerce(&KomoValue::Timestamp(i64::MAX), &at),
        Err(Refusal::OutOfRange { .. })
    ));
}

#[test]
fn text_fields_take_numbers_and_dates_as_text_but_not_yes_no() {
    let title = field("Title", "string", 128);
    assert_eq!(
        coerce(&KomoValue::Number(4.0), &title),
        Ok(Some(json!("4")))
    );
    assert_eq!(
        coerce(&date("2024-01-31"), &title),
        Ok(Some(json!("2024-01-31")))
    );
    let refusal = coerce(&KomoValue::Boolean(true), &title).expect_err("wrong type");
    assert_eq!(refusal.to_string(), "a string field cannot take yes/no");
    assert!(coerce(&text("001xx"), &field("AccountId", "reference", 18)).is_err());
    assert!(coerce(&KomoValue::Number(1.0), &field("Birthdate", "date", 0)).is_err());
}
