use crate::helpers::{assert_shape, fixture, Tenant, MID};
use marketing_cloud_sim::seed::CONTACTS_KEY;
use marketing_cloud_sim::Faults;
use reqwest::Method;
use serde_json::json;

const ROWS: &str = "/data/v1/async/dataextensions/key:Contacts/rows";

fn one(key: &str) -> serde_json::Value {
    json!({"items": [{"ContactKey": key, "Email": key}]})
}

#[tokio::test]
async fn throttling_and_server_errors_answer_in_their_shapes_then_pass() {
    let t = Tenant::start().await;
    let token = t.token().await;
    t.sim.set_faults(Faults {
        rate_limit_next: 1,
        retry_after_secs: 7,
        blocked_next: 1,
        server_error_next: 1,
        unavailable_next: 1,
        ..Faults::default()
    });
    let mut seen = Vec::new();
    for _ in 0..5 {
        let response = t
            .http
            .put(t.url(ROWS))
            .bearer_auth(&token)
            .json(&one("a@example.com"))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: serde_json::Value = response.json().await.expect("JSON");
        seen.push((status, body["errorcode"].as_u64(), retry_after));
    }
    assert_eq!(
        seen,
        [
            (429, Some(50100), Some("7".to_owned())),
            (429, Some(50200), None),
            (500, Some(0), None),
            (503, Some(0), None),
            (202, None, None),
        ]
    );
    assert_eq!(
        t.sim.row_count(MID, CONTACTS_KEY),
        1,
        "only the request that passed wrote"
    );
}

#[tokio::test]
async fn deadlocked_rows_fail_as_recorded_and_are_not_written() {
    let t = Tenant::start().await;
    let token = t.token().await;
    t.sim.set_faults(Faults {
        deadlock_next_rows: 1,
        ..Faults::default()
    });
    let items = json!({"items": [
        {"ContactKey": "a@example.com", "Email": "a@example.com"},
        {"ContactKey": "b@example.com", "Email": "b@example.com"},
    ]});
    let (_, accepted) = t.call(Method::PUT, ROWS, &token, Some(items)).await;
    let id = accepted["requestId"].as_str().unwrap_or_default();
    let results = t.async_answer(id, "results", &token).await;
    assert_shape(&results, &fixture("20-async-results-deadlock.json"));
    let first = results["items"][0]["message"].as_str().unwrap_or_default();
    assert!(first.ends_with("Rerun the transaction."), "{first}");
    assert_eq!(results["items"][1]["status"], "OK");
    assert_eq!(t.sim.row_count(MID, CONTACTS_KEY), 1);
}

#[tokio::test]
async fn a_lost_answer_still_wrote_its_rows() {
    let t = Tenant::start().await;
    t.sim.set_faults(Faults {
        drop_after_write: 1,
        ..Faults::default()
    });
    let token = t.token().await; // a token request is not a write: its answer arrives

    let lost = async {
        t.http
            .put(t.url(ROWS))
            .bearer_auth(&token)
            .json(&one("a@example.com"))
            .send()
            .await?
            .json::<serde_json::Value>()
            .await
    };
    assert!(lost.await.is_err(), "the client never reads the answer");
    assert_eq!(
        t.sim.row_count(MID, CONTACTS_KEY),
        1,
        "but the write happened"
    );
    let (status, _) = t
        .call(Method::PUT, ROWS, &token, Some(one("b@example.com")))
        .await;
    assert_eq!(status, 202, "one answer lost, then normal again");
    assert_eq!(t.sim.faults(), Faults::default());
}
