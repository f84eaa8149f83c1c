//! Describe against the simulator, and the cache with its refresh action.

use crate::helpers::org;
use salesforce_sim::{CustomField, CustomFieldType};
use server::salesforce::describe::DescribeCache;
use server::salesforce::{SalesforceError, API_VERSION};

#[tokio::test]
async fn contact_and_lead_describe_expose_what_a_mapping_needs() {
    let org = org().await;
    let contact = org.client.describe("Contact").await.expect("Contact");
    assert_eq!(contact.name, "Contact");
    let last = contact.field("LastName").expect("LastName");
    assert!(last.required && last.createable && last.updateable);
    assert_eq!(last.length, 80);
    assert!(contact.field("Email").expect("Email").id_lookup);
    assert!(!contact.field("Name").expect("Name").createable);
    let lead = org.client.describe("Lead").await.expect("Lead");
    assert!(lead.field("Company").expect("Company").required);
    assert!(!lead.field("Status").expect("Status").required);
}

#[tokio::test]
async fn custom_fields_show_their_external_id_and_restricted_picklist() {
    let org = org().await;
    org.sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("field");
    org.sim
        .add_custom_field(
            "Contact",
            &CustomField {
                name: "Tier".into(),
                field_type: CustomFieldType::Picklist,
                label: Some("Tier".into()),
                length: None,
                external_id: false,
                unique: false,
                values: vec!["Gold".into(), "Silver".into()],
                restricted_picklist: true,
            },
        )
        .expect("field");
    let contact = org.client.describe("Contact").await.expect("Contact");
    let key = contact.field("Marketing_Id__c").expect("custom key");
    assert!(key.external_id && key.createable && !key.required);
    assert_eq!(key.length, 64);
    assert!(contact.upsert_keys().any(|f| f.name == "Marketing_Id__c"));
    let tier = contact.field("Tier__c").expect("picklist");
    assert!(tier.restricted_picklist);
    assert_eq!(tier.picklist_values, ["Gold", "Silver"]);
}

#[tokio::test]
async fn an_object_the_user_cannot_see_is_not_found() {
    let org = org().await;
    let error = org.client.describe("Xyzzy").await.expect_err("unknown");
    assert!(
        matches!(&error, SalesforceError::Api { status: 404, code, .. } if code == "NOT_FOUND"),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_cache_asks_once_until_refreshed() {
    let org = org().await;
    let path = format!("/services/data/{API_VERSION}/sobjects/Contact/describe");
    let cache = DescribeCache::new();
    let first = cache.get(&org.client, "Contact").await.expect("describe");
    let again = cache.get(&org.client, "contact").await.expect("cached");
    assert_eq!(first, again);
    assert_eq!(org.calls_to(&path), 1);
    assert!(first.field("Loyalty__c").is_none());

    org.sim
        .add_custom_field("Contact", &CustomField::external_id_text("Loyalty", 20))
        .expect("field");
    let stale = cache.get(&org.client, "Contact").await.expect("cached");
    assert!(
        stale.field("Loyalty__c").is_none(),
        "still the cached answer"
    );
    let fresh = cache
        .refresh(&org.client, "Contact")
        .await
        .expect("refresh");
    assert!(fresh.field("Loyalty__c").is_some());
    let after = cache.get(&org.client, "Contact").await.expect("cached");
    assert!(after.field("Loyalty__c").is_some());
    assert_eq!(org.calls_to(&path), 2);
}
