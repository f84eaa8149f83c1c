use crate::helpers::{assert_shape, assert_shape_but, fixture, Tenant, MID};
use marketing_cloud_sim::seed::CONTACTS_KEY;
use reqwest::Method;
use serde_json::{json, Value};

const ROWS: &str = "/data/v1/async/dataextensions/key:Contacts/rows";

#[tokio::test]
async fn fields_are_described_by_guid_in_the_recorded_shape_and_a_key_is_refused() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let (status, answer) = t
        .call(
            Method::GET,
            &format!("/data/v1/customobjects/{}/fields", t.contacts_id),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_shape_but(
        &answer,
        &fixture("09-customobject-fields-shape-deSchema.json"),
        &["defaultValue"],
    );
    assert_eq!(answer["fieldCount"], 8);
    let key = &answer["fields"][0];
    assert_eq!(
        (
            &key["name"],
            &key["isPrimaryKey"],
            &key["isNullable"],
            &key["length"]
        ),
        (
            &json!("ContactKey"),
            &json!(true),
            &json!(false),
            &json!(254)
        )
    );
    for bad in ["key:Contacts", "Contacts"] {
        let (status, answer) = t
            .call(
                Method::GET,
                &format!("/data/v1/customobjects/{bad}/fields"),
                &token,
                None,
            )
            .await;
        assert_eq!(
            (status, answer["message"].as_str()),
            (400, Some("Id is invalid."))
        );
    }
}

#[tokio::test]
async fn an_async_upsert_is_accepted_then_complete_with_one_result_per_row_in_order() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let items = json!({"items": [
        {"ContactKey": "ada@example.com", "Email": "ada@example.com", "FirstName": "Ada"},
        {"Email": "nokey@example.com"},
        {"ContactKey": "bo@example.com", "Email": "bo at example"},
        {"ContactKey": "cy@example.com", "Email": "cy@example.com", "FirstName": "x".repeat(51)},
        {"ContactKey": "di@example.com", "Email": "di@example.com", "JoinedOn": "2024-06-23T14:05:09Z"},
    ]});
    let (status, accepted) = t.call(Method::PUT, ROWS, &token, Some(items)).await;
    assert_eq!(status, 202, "{accepted}");
    assert_shape(&accepted, &fixture("15-async-upsert-accepted.json"));
    let id = accepted["requestId"].as_str().unwrap_or_default();
    let status = t.async_answer(id, "status", &token).await;
    assert_shape(
        &status,
        &fixture("18-async-status-complete-has-errors.json"),
    );
    assert_eq!(status["status"]["resultStatus"], "Has Errors");
    let results = t.async_answer(id, "results", &token).await;
    assert_shape(&results, &fixture("19-async-results-row-errors.json"));
    let said: Vec<(&str, Option<u64>)> = results["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["status"].as_str().unwrap_or_default(),
                i["errors"][0]["errorCode"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("OK", None),
            ("Error", Some(70001)),
            ("Error", Some(70003)),
            ("Error", Some(70002)),
            ("OK", None)
        ]
    );
    assert_eq!(
        results["items"][1]["message"],
        "Cannot locate the existing record. Required keys are missing."
    );
    assert_eq!(t.sim.row_count(MID, CONTACTS_KEY), 2);
    let di = t
        .sim
        .row(MID, CONTACTS_KEY, &["DI@example.com"])
        .unwrap_or_default();
    assert_eq!(
        di["JoinedOn"], "6/23/2024 8:05:09 AM",
        "stored on the platform clock, UTC−6"
    );
}

#[tokio::test]
async fn an_insert_of_an_existing_key_fails_that_row_only_and_a_clean_request_is_ok() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let ada = json!({"ContactKey": "ada@example.com", "Email": "ada@example.com"});
    let bo = json!({"ContactKey": "bo@example.com", "Email": "bo@example.com"});
    let (_, first) = t
        .call(Method::POST, ROWS, &token, Some(json!({"items": [ada]})))
        .await;
    let first = first["requestId"].as_str().unwrap_or_default().to_owned();
    let status = t.async_answer(&first, "status", &token).await;
    assert_shape(&status, &fixture("17-async-status-complete-ok.json"));
    assert_eq!(
        (
            &status["status"]["resultStatus"],
            &status["status"]["hasErrors"]
        ),
        (&json!("OK"), &json!(false))
    );
    let (_, again) = t
        .call(
            Method::POST,
            ROWS,
            &token,
            Some(json!({"items": [ada, bo]})),
        )
        .await;
    let again = again["requestId"].as_str().unwrap_or_default();
    let results = t.async_answer(again, "results", &token).await;
    let message = results["items"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Violation of PRIMARY KEY constraint"),
        "{message}"
    );
    assert_eq!(results["items"][1]["status"], "OK");
    assert_eq!(t.sim.row_count(MID, CONTACTS_KEY), 2);
}

#[tokio::test]
async fn requests_refused_up_front_say_why() {
    let t = Tenant::start().await;
    t.sim.configure(|c| c.async_max_items = 2);
    let token = t.token().await;
    let (status, answer) = t
        .call(
            Method::PUT,
            "/data/v1/async/dataextensions/key:Nope/rows",
            &token,
            Some(json!({"items": [{}]})),
        )
        .await;
    assert_eq!(status, 400);
    assert_shape(
        &answer,
        &fixture("16-async-upsert-400-customobjectnotfound.json"),
    );
    assert_eq!(
        answer["resultMessages"][0]["resultCode"],
        "CustomObjectNotFound"
    );
    let three = json!({"items": [{}, {}, {}]});
    let (status, answer) = t.call(Method::PUT, ROWS, &token, Some(three)).await;
    assert_eq!(
        (status, &answer["resultMessages"][0]["resultCode"]),
        (400, &json!("TooManyItems"))
    );
    let (status, answer) = t
        .call(Method::PUT, ROWS, &token, Some(json!({"rows": []})))
        .await;
    assert_eq!(
        (status, answer["errorcode"].as_u64()),
        (400, Some(10004)),
        "{answer}"
    );
    assert_eq!(t.sim.row_count(MID, CONTACTS_KEY), 0);
}

#[tokio::test]
async fn a_slow_request_is_pending_for_its_polls_then_complete() {
    let t = Tenant::start().await;
    t.sim.configure(|c| c.pending_polls = 2);
    let token = t.token().await;
    let item = json!({"items": [{"ContactKey": "a@example.com", "Email": "a@example.com"}]});
    let (_, accepted) = t.call(Method::PUT, ROWS, &token, Some(item)).await;
    let id = accepted["requestId"].as_str().unwrap_or_default();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let status = t.async_answer(id, "status", &token).await;
        seen.push(
            status["status"]["requestStatus"]
                .as_str()
                .map(str::to_owned),
        );
    }
    let expected: Vec<Option<String>> = ["Pending", "Pending", "Complete"]
        .iter()
        .map(|s| Some((*s).to_owned()))
        .collect();
    assert_eq!(seen, expected);
    let (status, _) = t
        .call(
            Method::GET,
            "/data/v1/async/not-a-request/status",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn results_are_paged() {
    let t = Tenant::start().await;
    let token = t.token().await;
    let items: Vec<Value> = (0..120)
        .map(|i| json!({"ContactKey": format!("p{i}@example.com"), "Email": format!("p{i}@example.com")}))
        .collect();
    let (_, accepted) = t
        .call(Method::PUT, ROWS, &token, Some(json!({"items": items})))
        .await;
    let id = accepted["requestId"].as_str().unwrap_or_default();
    let third = t.async_answer(id, "results?$page=3", &token).await;
    assert_eq!(
        (
            &third["count"],
            &third["pageSize"],
            third["items"].as_array().map(Vec::len)
        ),
        (&json!(120), &json!(50), Some(20))
    );
}
