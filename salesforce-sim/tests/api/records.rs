use crate::helpers::{assert_same_shape, error_code, fixture, org, TestOrg};
use reqwest::{Method, StatusCode};
use salesforce_sim::CustomField;
use serde_json::{json, Value};

async fn create(t: &TestOrg, object: &str, body: Value) -> crate::helpers::Reply {
    t.post(&format!("/sobjects/{object}"), body).await
}

#[tokio::test]
async fn creating_a_contact_answers_201_like_the_recording_and_stores_email_lower_cased() {
    let t = org().await;
    let reply = create(
        &t,
        "Contact",
        json!({"LastName": "Myers", "FirstName": "Chloe", "Email": "Chloe.Myers@Example.com"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let body = reply.json();
    assert_same_shape(&body, &fixture("sobject/create_account_201_response.json"));
    let id = body["id"].as_str().expect("id");
    assert_eq!((id.len(), &id[..3]), (18, "003"));
    let record = t.get(&format!("/sobjects/Contact/{id}")).await.json();
    assert_eq!(record["Email"], "chloe.myers@example.com");
    assert_eq!(record["Name"], "Chloe Myers");
    assert_eq!(
        record["attributes"]["url"],
        format!("/services/data/v62.0/sobjects/Contact/{id}")
    );
    // The 15-character form of the id finds the same record.
    assert_eq!(
        t.get(&format!("/sobjects/Contact/{}?fields=Email", &id[..15]))
            .await
            .json()["Email"],
        "chloe.myers@example.com"
    );
}

#[tokio::test]
async fn writes_are_validated_like_an_org() {
    let t = org().await;
    let long = "x".repeat(81);
    let cases = [
        (
            "Contact",
            json!({"FirstName": "No last name"}),
            "REQUIRED_FIELD_MISSING",
            Some("LastName"),
        ),
        (
            "Lead",
            json!({"LastName": "L"}),
            "REQUIRED_FIELD_MISSING",
            Some("Company"),
        ),
        (
            "Contact",
            json!({"LastName": long}),
            "STRING_TOO_LONG",
            Some("LastName"),
        ),
        (
            "Contact",
            json!({"LastName": "L", "Email": "not an email"}),
            "INVALID_EMAIL_ADDRESS",
            Some("Email"),
        ),
        (
            "Contact",
            json!({"LastName": "L", "CleanStatus": "Bogus"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            Some("CleanStatus"),
        ),
        (
            "Contact",
            json!({"LastName": "L", "Name": "Read Only"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            Some("Name"),
        ),
        (
            "Contact",
            json!({"LastName": "L", "Foo__c": 1}),
            "INVALID_FIELD",
            None,
        ),
        (
            "Contact",
            json!({"LastName": "L", "AccountId": "nope"}),
            "MALFORMED_ID",
            Some("AccountId"),
        ),
        (
            "Contact",
            json!({"LastName": "L", "Birthdate": "yesterday"}),
            "JSON_PARSER_ERROR",
            None,
        ),
    ];
    for (object, body, code, field) in cases {
        let reply = create(&t, object, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let err = reply.json();
        assert_eq!(error_code(&err), code, "{body}");
        if let Some(f) = field {
            assert_eq!(err[0]["fields"], json!([f]), "{body}");
        }
    }
    let too_long = create(&t, "Contact", json!({"LastName": long}))
        .await
        .json();
    assert_eq!(
        too_long[0]["message"],
        format!("Last Name: data value too large: {long} (max length=80)")
    );
    let unknown = create(&t, "Contact", json!({"LastName": "L", "foo": 1}))
        .await
        .json();
    assert_same_shape(&unknown, &fixture("errors/invalid_field_400.json"));
    assert_eq!(t.sim.count("Contact"), 0, "nothing invalid was stored");
}

#[tokio::test]
async fn a_lead_gets_its_default_status_and_numeric_strings_are_coerced() {
    let t = org().await;
    let id = create(
        &t,
        "Lead",
        json!({"LastName": "L", "Company": "C", "NumberOfEmployees": "10000"}),
    )
    .await
    .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(id.starts_with("00Q"));
    let lead = t.get(&format!("/sobjects/Lead/{id}")).await.json();
    assert_eq!(lead["Status"], "Open - Not Contacted");
    assert_eq!(lead["NumberOfEmployees"], 10000);
    assert_eq!(lead["IsConverted"], false);
}

#[tokio::test]
async fn update_answers_204_and_bad_or_deleted_ids_are_refused() {
    let t = org().await;
    let id = create(&t, "Contact", json!({"LastName": "Old"}))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reply = t
        .patch(
            &format!("/sobjects/Contact/{id}"),
            json!({"LastName": "New", "Title": "CTO"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    assert_eq!(
        t.get(&format!("/sobjects/Contact/{id}")).await.json()["LastName"],
        "New"
    );
    let cleared = t
        .patch(
            &format!("/sobjects/Contact/{id}"),
            json!({"LastName": null}),
        )
        .await;
    assert_eq!(error_code(&cleared.json()), "REQUIRED_FIELD_MISSING");

    let missing = t
        .patch(
            "/sobjects/Contact/003000000000000AAA",
            json!({"LastName": "X"}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.json()),
        (StatusCode::NOT_FOUND, fixture("errors/not_found_404.json"))
    );
    assert_eq!(
        t.patch("/sobjects/Contact/garbage", json!({"LastName": "X"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let deleted = t
        .call(Method::DELETE, &format!("/sobjects/Contact/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = t
        .patch(&format!("/sobjects/Contact/{id}"), json!({"LastName": "X"}))
        .await;
    assert_eq!(
        (again.status, error_code(&again.json())),
        (StatusCode::NOT_FOUND, "ENTITY_IS_DELETED")
    );
    assert_eq!(
        t.get(&format!("/sobjects/Contact/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn upsert_by_external_id_creates_then_updates() {
    let t = org().await;
    t.sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("field");
    let first = t
        .patch(
            "/sobjects/Contact/Marketing_Id__c/M-1",
            json!({"LastName": "One"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let body = first.json();
    assert_eq!(
        (body["created"].as_bool(), body["success"].as_bool()),
        (Some(true), Some(true))
    );
    let second = t
        .patch(
            "/sobjects/Contact/Marketing_Id__c/m-1",
            json!({"LastName": "Two"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.json()["created"], false);
    assert_eq!(second.json()["id"], body["id"]);
    let stored = t.sim.records("Contact");
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0]["LastName"].as_str(),
            stored[0]["Marketing_Id__c"].as_str()
        ),
        (Some("Two"), Some("M-1"))
    );

    let unknown = t
        .patch("/sobjects/Contact/Namez/x", json!({"LastName": "X"}))
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            StatusCode::NOT_FOUND,
            fixture("errors/upsert_external_id_field_not_found_404.json")
        )
    );
}

#[tokio::test]
async fn upsert_on_an_email_shared_by_two_records_answers_300() {
    let t = org().await;
    t.sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "A", "Email": "same@example.com"}),
                json!({"LastName": "B", "Email": "SAME@example.com"}),
            ],
        )
        .expect("seeded");
    let reply = t
        .patch(
            "/sobjects/Contact/Email/Same@Example.com",
            json!({"LastName": "C"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(reply.json().as_array().map(Vec::len), Some(2));
    assert_eq!(t.sim.contacts_with_email("same@EXAMPLE.com"), 2);
}

#[tokio::test]
async fn a_full_record_renders_addresses_and_audit_fields() {
    let t = org().await;
    let id = create(
        &t,
        "Contact",
        json!({"LastName": "L", "MailingCity": "Oslo", "MailingPostalCode": "0150"}),
    )
    .await
    .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let record = t.get(&format!("/sobjects/Contact/{id}")).await.json();
    assert_eq!(record["MailingAddress"]["city"], "Oslo");
    assert_eq!(record["MailingAddress"]["postalCode"], "0150");
    assert!(record["MailingAddress"]["street"].is_null());
    assert!(record["OtherAddress"].is_null());
    assert!(record["OwnerId"]
        .as_str()
        .is_some_and(|o| o.starts_with("005")));
    assert_eq!(record["OwnerId"], record["CreatedById"]);
    assert_eq!(record["IsDeleted"], false);
    let created = record["CreatedDate"].as_str().expect("CreatedDate");
    assert!(
        created.ends_with("+0000") && created.len() == 28,
        "{created}"
    );
}
