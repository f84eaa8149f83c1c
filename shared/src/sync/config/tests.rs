//! Save's checks, case by case.
use super::*;
use crate::contact::fields::FieldCatalog;

fn field(name: &str, field_type: &str, length: u32, required: bool) -> CrmField {
    CrmField {
        name: name.into(),
        label: name.into(),
        field_type: field_type.into(),
        length,
        createable: true,
        updateable: true,
        required,
        external_id: false,
        id_lookup: false,
        unique: false,
        picklist_values: Vec::new(),
        default_picklist_value: None,
        restricted_picklist: false,
    }
}

fn lead_fields() -> Vec<CrmField> {
    let mut status = field("Status", "picklist", 40, false);
    status.picklist_values = vec!["Open".into(), "Working".into()];
    status.restricted_picklist = true;
    let mut komo_id = field("Komo_Id__c", "string", 64, false);
    komo_id.external_id = true;
    let mut created = field("CreatedDate", "datetime", 0, false);
    created.createable = false;
    created.updateable = false;
    vec![
        field("Email", "email", 80, false),
        field("FirstName", "string", 40, false),
        field("LastName", "string", 80, true),
        field("Company", "string", 255, true),
        field("HasOptedOutOfEmail", "boolean", 0, false),
        status,
        komo_id,
        created,
    ]
}

fn map(source: MappingSource, crm_field: &str) -> FieldMapping {
    FieldMapping {
        source,
        crm_field: crm_field.into(),
        overwrite: Overwrite::Always,
    }
}

fn lead_config() -> SyncConfig {
    SyncConfig {
        object: CrmObject::Lead,
        mappings: vec![
            map(MappingSource::Field("last_name".into()), "LastName"),
            map(MappingSource::Field("company".into()), "Company"),
        ],
        ..SyncConfig::default()
    }
}

#[test]
fn a_complete_lead_sync_passes_with_a_truncation_warning() {
    let catalog = FieldCatalog::new(&[]);
    let checked = lead_config()
        .check(&catalog, &lead_fields())
        .expect("valid");
    assert!(!checked.uses_upsert, "Email is not an External ID");
    assert_eq!(checked.warnings.len(), 1, "{:?}", checked.warnings);
    assert!(checked.warnings[0]
        .message
        .contains("LastName holds up to 80 characters"));
}

#[test]
fn a_missing_required_field_is_named() {
    let catalog = FieldCatalog::new(&[]);
    let mut config = lead_config();
    config.mappings.retain(|m| m.crm_field != "Company");
    let problems = config
        .check(&catalog, &lead_fields())
        .expect_err("Company missing");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].place, Place::Required);
    assert_eq!(
        problems[0].message,
        "Lead requires Company on insert: map a Komo field or a constant to it"
    );
    // Without inserts nothing is required.
    config.on_no_match = NoMatchAction::DoNothing;
    assert!(config.check(&catalog, &lead_fields()).is_ok());
    // A constant satisfies the requirement.
    config.on_no_match = NoMatchAction::Insert;
    config
        .mappings
        .push(map(MappingSource::Constant("Komo".into()), "Company"));
    assert!(config.check(&catalog, &lead_fields()).is_ok());
}

#[test]
fn wrong_mappings_are_each_reported_at_their_place() {
    let catalog = FieldCatalog::new(&[]);
    let mut config = lead_config();
    config.mappings.extend([
        map(MappingSource::Field("city".into()), "HasOptedOutOfEmail"),
        map(MappingSource::Field("first_name".into()), "Nope__c"),
        map(MappingSource::Constant("Maybe".into()), "Status"),
        map(MappingSource::Field("company".into()), "company"),
        map(MappingSource::Field("first_name".into()), "CreatedDate"),
    ]);
    let problems = config
        .check(&catalog, &lead_fields())
        .expect_err("bad mappings");
    let places: Vec<&Place> = problems.iter().map(|p| &p.place).collect();
    assert!(places.contains(&&Place::Mapping(2)), "incompatible types");
    assert!(places.contains(&&Place::Mapping(3)), "unknown CRM field");
    assert!(
        places.contains(&&Place::Mapping(4)),
        "restricted picklist constant"
    );
    assert!(places.contains(&&Place::Mapping(5)), "mapped twice");
    assert!(places.contains(&&Place::Mapping(6)), "read-only field");
    let picklist = problems
        .iter()
        .find(|p| p.place == Place::Mapping(4))
        .expect("picklist problem");
    assert_eq!(picklist.message, "Status: choose one of: Open, Working");
}

#[test]
fn an_external_id_match_with_both_actions_uses_upsert() {
    let catalog = FieldCatalog::new(&[]);
    let mut config = lead_config();
    config.match_pair = MatchPair {
        komo_field: "email".into(),
        crm_field: "Komo_Id__c".into(),
    };
    assert!(
        config
            .check(&catalog, &lead_fields())
            .expect("valid")
            .uses_upsert
    );
    config.on_match = MatchAction::DoNothing;
    assert!(
        !config
            .check(&catalog, &lead_fields())
            .expect("valid")
            .uses_upsert
    );
}

#[test]
fn doing_nothing_either_way_is_refused_and_so_is_a_bad_match_pair() {
    let catalog = FieldCatalog::new(&[]);
    let mut config = lead_config();
    config.on_match = MatchAction::DoNothing;
    config.on_no_match = NoMatchAction::DoNothing;
    config.match_pair.crm_field = "HasOptedOutOfEmail".into();
    let problems = config.check(&catalog, &lead_fields()).expect_err("refused");
    assert!(problems.iter().any(|p| p.place == Place::Actions));
    let matching = problems
        .iter()
        .find(|p| p.place == Place::Match)
        .expect("match problem");
    assert_eq!(
        matching.message,
        "Match: Email cannot be compared with HasOptedOutOfEmail (boolean)"
    );
}

#[test]
fn type_compatibility_table() {
    use FieldType as T;
    let table = [
        (T::Email, "email", true),
        (T::Text, "email", true),
        (T::Boolean, "string", false),
        (T::Boolean, "boolean", true),
        (T::Number, "double", true),
        (T::Text, "double", false),
        (T::Date, "date", true),
        (T::Timestamp, "datetime", true),
        (T::Timestamp, "date", false),
        (T::Tags, "multipicklist", true),
        (T::Text, "reference", false),
    ];
    for (komo, crm, expected) in table {
        assert_eq!(compatible(komo, crm), expected, "{komo:?} → {crm}");
    }
}
