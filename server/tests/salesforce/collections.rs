//! sObject Collections round trips: create, update, upsert, per-record failures, allOrNone.

use crate::helpers::{org, record};
use salesforce_sim::CustomField;
use serde_json::Value;
use server::salesforce::collections::RecordBatch;

fn find<'a>(records: &'a [Value], field: &str, value: &str) -> Option<&'a Value> {
    records
        .iter()
        .find(|r| r.get(field).and_then(Value::as_str) == Some(value))
}

#[tokio::test]
async fn a_create_answers_per_record_in_request_order() {
    let org = org().await;
    let batch = RecordBatch::new(
        "Contact",
        vec![
            record(&[("LastName", "Lee"), ("Email", "lee@example.com")]),
            record(&[("FirstName", "NoLast"), ("Email", "nolast@example.com")]),
            record(&[("LastName", "Ng"), ("Email", "NG@Example.com")]),
        ],
    )
    .expect("batch");
    let results = org.client.create_records(&batch).await.expect("answered");
    assert_eq!(results.len(), 3);
    assert!(results[0].success && results[2].success);
    assert!(results[0]
        .id
        .as_deref()
        .is_some_and(|id| id.starts_with("003")));
    assert_eq!(results[0].created, None, "only upserts say created");
    assert!(!results[1].success);
    assert_eq!(results[1].id, None);
    assert_eq!(results[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
    assert_eq!(results[1].errors[0].fields, ["LastName"]);
    let stored = org.sim.records("Contact");
    assert_eq!(stored.len(), 2);
    let ng = find(&stored, "LastName", "Ng").expect("Ng stored");
    assert_eq!(ng["Id"].as_str(), results[2].id.as_deref());
    assert_eq!(ng["Email"], "ng@example.com");
    assert_eq!(org.sim.contacts_with_email("nolast@example.com"), 0);
}

#[tokio::test]
async fn an_update_changes_the_records_named_by_id() {
    let org = org().await;
    let created = org
        .client
        .create_records(
            &RecordBatch::new(
                "Contact",
                vec![record(&[("LastName", "A")]), record(&[("LastName", "B")])],
            )
            .expect("batch"),
        )
        .await
        .expect("created");
    let ids: Vec<String> = created.iter().filter_map(|r| r.id.clone()).collect();
    let updates = vec![
        record(&[("Id", &ids[0]), ("Title", "CEO")]),
        record(&[("Id", "003000000000000AAA"), ("Title", "Ghost")]),
        record(&[("Id", &ids[1]), ("Title", "CTO")]),
    ];
    let results = org
        .client
        .update_records(&RecordBatch::new("Contact", updates).expect("batch"))
        .await
        .expect("answered");
    assert!(results[0].success && results[2].success);
    assert!(!results[1].success, "{:?}", results[1]);
    let stored = org.sim.records("Contact");
    assert_eq!(find(&stored, "LastName", "A").expect("A")["Title"], "CEO");
    assert_eq!(find(&stored, "LastName", "B").expect("B")["Title"], "CTO");
}

#[tokio::test]
async fn an_upsert_by_external_id_inserts_then_updates() {
    let org = org().await;
    org.sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("field");
    let rows = |title: &str| {
        vec![
            record(&[
                ("Marketing_Id__c", "m-1"),
                ("LastName", "One"),
                ("Title", title),
            ]),
            record(&[
                ("Marketing_Id__c", "m-2"),
                ("LastName", "Two"),
                ("Title", title),
            ]),
        ]
    };
    let first = org
        .client
        .upsert_records(
            &RecordBatch::new("Contact", rows("v1")).expect("batch"),
            "Marketing_Id__c",
        )
        .await
        .expect("answered");
    assert!(first.iter().all(|r| r.success && r.created == Some(true)));
    let second = org
        .client
        .upsert_records(
            &RecordBatch::new("Contact", rows("v2")).expect("batch"),
            "Marketing_Id__c",
        )
        .await
        .expect("answered");
    assert!(second.iter().all(|r| r.success && r.created == Some(false)));
    assert_eq!(
        second.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        first.iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    );
    let stored = org.sim.records("Contact");
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|r| r["Title"] == "v2"));
}

#[tokio::test]
async fn an_upsert_on_a_field_that_is_not_a_key_is_refused_whole() {
    let org = org().await;
    let batch = RecordBatch::new("Contact", vec![record(&[("LastName", "X")])]).expect("batch");
    let error = org
        .client
        .upsert_records(&batch, "LastName")
        .await
        .expect_err("not a key");
    assert!(
        matches!(&error, server::salesforce::SalesforceError::Api { status: 404, code, .. } if code == "NOT_FOUND"),
        "{error:?}"
    );
    assert_eq!(org.sim.count("Contact"), 0);
}

#[tokio::test]
async fn all_or_none_rolls_every_record_back_when_one_fails() {
    let org = org().await;
    let batch = RecordBatch::new(
        "Contact",
        vec![
            record(&[("LastName", "Kept?")]),
            record(&[("Email", "bad")]),
        ],
    )
    .expect("batch")
    .all_or_none(true);
    let results = org.client.create_records(&batch).await.expect("answered");
    assert!(results.iter().all(|r| !r.success));
    assert_eq!(
        results[0].errors[0].status_code,
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(org.sim.count("Contact"), 0);
}

#[tokio::test]
async fn an_empty_batch_makes_no_call() {
    let org = org().await;
    let results = org
        .client
        .create_records(&RecordBatch::new("Contact", vec![]).expect("batch"))
        .await
        .expect("nothing to do");
    assert!(results.is_empty());
    assert_eq!(org.sim.requests().len(), 0);
}
