use crate::helpers::{assert_same_shape, fixture, org};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn contacts(records: Vec<Value>, all_or_none: bool) -> Value {
    let records: Vec<Value> = records
        .into_iter()
        .map(|mut r| {
            r["attributes"] = json!({"type": "Contact"});
            r
        })
        .collect();
    json!({"allOrNone": all_or_none, "records": records})
}

#[tokio::test]
async fn create_answers_per_record_in_request_order() {
    let t = org().await;
    let body = contacts(
        vec![
            json!({"LastName": "A"}),
            json!({"FirstName": "no last"}),
            json!({"LastName": "C"}),
        ],
        false,
    );
    let reply = t.post("/composite/sobjects", body).await;
    assert_eq!(reply.status, StatusCode::OK);
    let results = reply.json();
    let recorded = fixture("composite/collections_create_response.json");
    assert_same_shape(&results[0], &recorded[0]);
    assert_same_shape(&results[2], &recorded[0]);
    assert_eq!(
        results[1],
        json!({"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]})
    );
    assert_eq!(t.sim.count("Contact"), 2);
}

#[tokio::test]
async fn all_or_none_rolls_every_record_back() {
    let t = org().await;
    t.sim
        .seed(
            "Contact",
            &[json!({"LastName": "Existing", "Email": "keep@example.com"})],
        )
        .expect("seeded");
    let body = contacts(
        vec![
            json!({"LastName": "A"}),
            json!({"LastName": "B", "Email": "bad"}),
            json!({"LastName": "C"}),
        ],
        true,
    );
    let results = t.post("/composite/sobjects", body).await.json();
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "INVALID_EMAIL_ADDRESS"
    );
    for i in [0, 2] {
        assert_eq!(results[i]["success"], false);
        assert_eq!(
            results[i]["errors"][0]["statusCode"],
            "ALL_OR_NONE_OPERATION_ROLLED_BACK"
        );
    }
    assert_eq!(t.sim.count("Contact"), 1);
}

#[tokio::test]
async fn update_matches_the_recorded_response_shape() {
    let t = org().await;
    let ids = t
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "A"}), json!({"LastName": "B"})],
        )
        .expect("seeded");
    let body = contacts(
        ids.iter()
            .map(|id| json!({"Id": id, "Title": "Updated"}))
            .collect(),
        false,
    );
    let results = t.patch("/composite/sobjects", body).await.json();
    assert_same_shape(
        &results,
        &fixture("composite/collections_update_response.json"),
    );
    assert_eq!(results[0]["id"], ids[0].as_str());
    assert!(t
        .sim
        .records("Contact")
        .iter()
        .all(|r| r["Title"] == "Updated"));

    let missing_id = t
        .patch(
            "/composite/sobjects",
            contacts(vec![json!({"Title": "x"})], false),
        )
        .await
        .json();
    assert_eq!(missing_id[0]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
}

#[tokio::test]
async fn upsert_by_email_replays_the_recorded_exchange() {
    let t = org().await;
    // The recorded org held these three, stored lower-case.
    t.sim
        .seed(
            "Contact",
            &[
                json!({"LastName": "Bluth", "Email": "michael.bluth@example.com"}),
                json!({"LastName": "Bluth", "Email": "gob.bluth@example.com"}),
                json!({"LastName": "Bluth", "Email": "lindsay.bluth@example.com"}),
            ],
        )
        .expect("seeded");
    let request = fixture("composite/collections_upsert_contact_by_email_request.json");
    let reply = t.patch("/composite/sobjects/Contact/Email", request).await;
    assert_eq!(reply.status, StatusCode::OK);
    let results = reply.json();
    let recorded = fixture("composite/collections_upsert_contact_by_email_response.json");
    assert_same_shape(&results, &recorded);
    let created: Vec<&Value> = results
        .as_array()
        .expect("array")
        .iter()
        .map(|r| &r["created"])
        .collect();
    let recorded_created: Vec<&Value> = recorded
        .as_array()
        .expect("array")
        .iter()
        .map(|r| &r["created"])
        .collect();
    assert_eq!(created, recorded_created);
    assert_eq!(t.sim.count("Contact"), 4);
    assert_eq!(t.sim.contacts_with_email("Michael.Bluth@example.com"), 1);
}

#[tokio::test]
async fn upsert_on_id_with_a_null_id_inserts() {
    let t = org().await;
    let results = t
        .patch(
            "/composite/sobjects/Contact/Id",
            contacts(vec![json!({"Id": null, "LastName": "New"})], false),
        )
        .await
        .json();
    assert_eq!(
        (
            results[0]["success"].as_bool(),
            results[0]["created"].as_bool()
        ),
        (Some(true), Some(true))
    );
}

#[tokio::test]
async fn more_than_200_records_is_a_bad_request() {
    let t = org().await;
    let body = contacts(
        (0..201)
            .map(|i| json!({"LastName": format!("L{i}")}))
            .collect(),
        false,
    );
    let reply = t.post("/composite/sobjects", body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.sim.count("Contact"), 0);
    let bad_json = t
        .http
        .post(t.url("/composite/sobjects"))
        .bearer_auth(&t.token)
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(bad_json.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad_json.json().await.expect("JSON");
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
}

#[tokio::test]
async fn delete_by_ids_reports_each_record() {
    let t = org().await;
    let ids = t
        .sim
        .seed("Contact", &[json!({"LastName": "A"})])
        .expect("seeded");
    let reply = t
        .call(
            Method::DELETE,
            &format!("/composite/sobjects?ids={},003000000000000AAA", ids[0]),
            None,
        )
        .await;
    let results = reply.json();
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[1]["success"], false);
    assert_eq!(t.sim.count("Contact"), 0);
}
