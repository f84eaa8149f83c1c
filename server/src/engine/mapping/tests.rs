//! Contacts mapped onto the Contact describe: values, blanks, refusals and run-level errors.
use super::*;
use crate::engine::fixtures::{config, config_on_komo_id, constant, contact, describe, map};
use serde_json::json;
use shared::contact::custom::PropertyValue;
use shared::contact::date::CalendarDate;

fn mapper(config: &SyncConfig) -> Mapper {
    Mapper::new(config, &describe()).expect("the config fits the describe")
}

fn pairs(mapped: &MappedContact) -> Vec<(&str, &Value)> {
    mapped
        .values
        .iter()
        .map(|v| (v.field.as_str(), &v.value))
        .collect()
}

#[test]
fn fields_and_constants_map_in_order_with_the_describe_spelling() {
    let sync = config(vec![
        map("first_name", "firstname", Overwrite::Always),
        map("last_name", "LastName", Overwrite::NeverOnUpdate),
        constant("Web", "LeadSource"),
        map("date_of_birth", "Birthdate", Overwrite::Always),
        map("score", "Score__c", Overwrite::OnlyWhenEmpty),
        map("tags", "Interests__c", Overwrite::Always),
        map("marketing_opt_in", "HasOptedOutOfEmail", Overwrite::Always),
    ]);
    let mut ada = contact(7, "Ada@Example.com");
    ada.first_name = " Ada ".into();
    ada.date_of_birth = CalendarDate::new(1815, 12, 10);
    ada.tags = vec!["golf".into(), "Chess".into()];
    ada.custom
        .insert("score".into(), PropertyValue::Number(9.5));
    let mapped = mapper(&sync).map(&ada).expect("valid");
    assert_eq!(mapped.contact_id, 7);
    assert_eq!(mapped.match_value, json!("ada@example.com"));
    assert_eq!(mapped.match_key.as_str(), "ada@example.com");
    assert_eq!(
        pairs(&mapped),
        [
            ("FirstName", &json!("Ada")),
            ("LastName", &json!("Lovelace")),
            ("LeadSource", &json!("Web")),
            ("Birthdate", &json!("1815-12-10")),
            ("Score__c", &json!(9.5)),
            ("Interests__c", &json!("Golf;Chess")),
            ("HasOptedOutOfEmail", &json!(false)),
        ]
    );
    assert_eq!(mapped.values[1].overwrite, Overwrite::NeverOnUpdate);
    assert_eq!(mapped.values[4].compare, Compare::Number);
    assert_eq!(mapped.refused_on_insert, None);
}

#[test]
fn blanks_are_left_out_and_a_blank_required_field_refuses_only_an_insert() {
    let sync = config(vec![
        map("first_name", "FirstName", Overwrite::Always),
        map("last_name", "LastName", Overwrite::Always),
        map("phone", "Phone", Overwrite::Always),
        map("score", "Score__c", Overwrite::Always),
    ]);
    let mut ada = contact(7, "ada@example.com");
    ada.first_name = "Ada".into();
    ada.last_name = "  ".into();
    let mapped = mapper(&sync).map(&ada).expect("fine for an update");
    assert_eq!(pairs(&mapped), [("FirstName", &json!("Ada"))]);
    let refused = mapped.refused_on_insert.expect("LastName is required");
    assert_eq!(refused.field, "LastName");
    assert_eq!(refused.code, Some("REQUIRED_FIELD_MISSING"));
    assert_eq!(
        refused.reason,
        "Contact requires Last Name (LastName) from last_name to create a record, but this contact \
         leaves it empty"
    );
}

#[test]
fn every_refused_value_is_named_with_its_field_and_limit() {
    let sync = config(vec![
        map("first_name", "FirstName", Overwrite::Always),
        map("last_name", "LastName", Overwrite::Always),
        map("channel", "LeadSource", Overwrite::Always),
    ]);
    let mut ada = contact(7, "ada@example.com");
    ada.first_name = "A".repeat(41);
    ada.custom
        .insert("channel".into(), PropertyValue::Choice("Print".into()));
    let invalid = mapper(&sync).map(&ada).expect_err("two problems");
    assert_eq!(invalid.field, "FirstName");
    assert_eq!(invalid.code, Some("STRING_TOO_LONG"));
    assert_eq!(
        invalid.reason,
        "First Name (FirstName) from first_name: 41 characters, but the field holds at most 40; \
         LeadSource (LeadSource) from channel: \"Print\" is not one of the allowed values (Web, Phone \
         Inquiry, Partner Referral, Other)"
    );
    assert_eq!(invalid.to_string(), invalid.reason);
}

#[test]
fn the_match_value_must_be_there_and_fit_its_field() {
    let sync = config_on_komo_id(vec![map("last_name", "LastName", Overwrite::Always)]);
    let mapper = mapper(&sync);
    let mut ada = contact(7, "ada@example.com");
    let invalid = mapper.map(&ada).expect_err("no komo_id");
    assert_eq!(invalid.field, "Komo_Id__c");
    assert_eq!(
        invalid.reason,
        "Komo_Id__c (Komo_Id__c) is what this sync matches on, but komo_id is empty"
    );
    ada.custom
        .insert("komo_id".into(), PropertyValue::Text(" K-42 ".into()));
    let mapped = mapper.map(&ada).expect("valid");
    assert_eq!(mapped.match_value, json!("K-42"));
    assert_eq!(mapped.match_key.as_str(), "k-42");
    ada.custom
        .insert("komo_id".into(), PropertyValue::Text("K".repeat(65)));
    assert_eq!(
        mapper.map(&ada).expect_err("too long").code,
        Some("STRING_TOO_LONG")
    );
}

#[test]
fn a_property_deleted_since_save_reads_blank() {
    let sync = config(vec![
        map("last_name", "LastName", Overwrite::Always),
        map("gone", "Title", Overwrite::Always),
    ]);
    let mapped = mapper(&sync)
        .map(&contact(1, "ada@example.com"))
        .expect("valid");
    assert_eq!(pairs(&mapped), [("LastName", &json!("Lovelace"))]);
}

#[test]
fn a_config_the_org_no_longer_fits_stops_the_run() {
    let sync = config(vec![map("last_name", "Nickname__c", Overwrite::Always)]);
    assert_eq!(
        Mapper::new(&sync, &describe()).expect_err("no such field"),
        MappingError::NoSuchField {
            object: "Contact",
            field: "Nickname__c".into()
        }
    );
    let sync = config(vec![constant("Print", "LeadSource")]);
    let error = Mapper::new(&sync, &describe()).expect_err("not a picklist value");
    assert!(
        error
            .to_string()
            .starts_with("LeadSource (LeadSource): the constant \"Print\" would be refused"),
        "{error}"
    );
    let sync = config(vec![constant("  ", "Title")]);
    assert!(matches!(
        Mapper::new(&sync, &describe()),
        Err(MappingError::BlankConstant { .. })
    ));
}
