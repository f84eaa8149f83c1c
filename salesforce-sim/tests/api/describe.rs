use crate::helpers::{assert_same_shape, fixture, org};
use reqwest::StatusCode;
use salesforce_sim::CustomField;
use serde_json::Value;

const TOP_LEVEL_KEYS: &str = "actionOverrides activateable associateEntityType associateParentEntity childRelationships \
compactLayoutable createable custom customSetting deepCloneable defaultImplementation deletable deprecatedAndHidden extendedBy \
extendsInterfaces feedEnabled fields hasSubtypes implementedBy implementsInterfaces isInterface isSubtype keyPrefix label \
labelPlural layoutable listviewable lookupLayoutable mergeable mruEnabled name namedLayoutInfos networkScopeFieldName queryable \
recordTypeInfos replicateable retrieveable searchLayoutable searchable sobjectDescribeOption supportedScopes triggerable \
undeletable updateable urls";

fn field<'a>(describe: &'a Value, name: &str) -> &'a Value {
    describe["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[tokio::test]
async fn contact_and_lead_describe_like_the_recorded_org() {
    let t = org().await;
    for (object, prefix) in [("Contact", "003"), ("Lead", "00Q")] {
        let reply = t.get(&format!("/sobjects/{object}/describe")).await;
        assert_eq!(reply.status, StatusCode::OK);
        let body = reply.json();
        let mut keys: Vec<&str> = body
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        let mut documented: Vec<&str> = TOP_LEVEL_KEYS.split_whitespace().collect();
        documented.sort();
        assert_eq!(keys, documented);
        assert_eq!(body["keyPrefix"], prefix);
        assert_eq!(
            body["urls"]["describe"],
            format!("/services/data/v62.0/sobjects/{object}/describe")
        );
        assert_same_shape(&body, &fixture_describe(object));
    }
    let lead = t.get("/sobjects/Lead/describe").await.json();
    assert_eq!(field(&lead, "Company")["nillable"], false);
    assert_eq!(field(&lead, "Status")["defaultedOnCreate"], true);
}

fn fixture_describe(object: &str) -> Value {
    let path = format!(
        "{}/fixtures/{}_describe.json",
        env!("CARGO_MANIFEST_DIR"),
        object.to_lowercase()
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("describe fixture")).expect("JSON")
}

#[tokio::test]
async fn global_describe_lists_objects_with_the_batch_size() {
    let t = org().await;
    let body = t.get("/sobjects/").await.json();
    assert_eq!(body["encoding"], "UTF-8");
    assert_eq!(body["maxBatchSize"], 200);
    let contact = body["sobjects"]
        .as_array()
        .expect("sobjects")
        .iter()
        .find(|s| s["name"] == "Contact")
        .expect("Contact listed");
    assert_eq!(contact["keyPrefix"], "003");
    assert_eq!(
        contact["urls"]["sobject"],
        "/services/data/v62.0/sobjects/Contact"
    );
}

#[tokio::test]
async fn a_custom_external_id_field_shows_up_in_describe() {
    let t = org().await;
    let name = t
        .sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("added");
    assert_eq!(name, "Marketing_Id__c");
    let describe = t.get("/sobjects/Contact/describe").await.json();
    let custom = field(&describe, "Marketing_Id__c");
    assert_same_shape(custom, field(&describe, "Title"));
    assert_eq!(
        (
            custom["externalId"].as_bool(),
            custom["custom"].as_bool(),
            custom["length"].as_u64()
        ),
        (Some(true), Some(true), Some(64))
    );
    assert_eq!(custom["idLookup"], true);
    assert!(
        t.sim
            .add_custom_field(
                "Contact",
                &CustomField::external_id_text("Marketing_Id__c", 64)
            )
            .is_err(),
        "no duplicates"
    );
}

#[tokio::test]
async fn an_unknown_object_is_not_found_with_the_recorded_body() {
    let t = org().await;
    let reply = t.get("/sobjects/Xyzzy/describe").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json(), fixture("errors/not_found_404.json"));
}

#[tokio::test]
async fn basic_info_wraps_the_object_describe() {
    let t = org().await;
    let body = t.get("/sobjects/Contact").await.json();
    assert_eq!(body["objectDescribe"]["name"], "Contact");
    assert!(body["recentItems"].is_array());
    assert!(body["objectDescribe"].get("fields").is_none());
}
