use crate::helpers::{assert_same_shape, error_code, fixture, org};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn the_versions_list_needs_no_session_and_is_not_metered() {
    let t = org().await;
    let resp = t
        .http
        .get(t.url("/services/data/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("sforce-limit-info").is_none());
    let body: Value = resp.json().await.expect("JSON");
    let v62 = body
        .as_array()
        .expect("array")
        .iter()
        .find(|v| v["version"] == "62.0")
        .expect("v62 listed");
    assert_eq!(
        v62,
        &serde_json::json!({"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"})
    );
    assert_eq!(t.sim.api_usage().0, 0);
}

#[tokio::test]
async fn limits_count_real_calls_and_match_the_usage_header() {
    let t = org().await;
    let first = t.get("/limits").await;
    let second = t.get("/limits").await;
    let remaining = |r: &crate::helpers::Reply| {
        r.json()["DailyApiRequests"]["Remaining"]
            .as_u64()
            .expect("Remaining")
    };
    assert_eq!(remaining(&first) - remaining(&second), 1);
    assert_eq!(second.json()["DailyApiRequests"]["Max"], 100_000);
    assert_eq!(
        second.header("sforce-limit-info"),
        Some("api-usage=2/100000")
    );
    for key in [
        "DailyBulkApiBatches",
        "DailyBulkV2QueryJobs",
        "DataStorageMB",
    ] {
        assert!(second.json()[key]["Max"].is_number(), "{key}");
    }
}

#[tokio::test]
async fn a_spent_allowance_answers_request_limit_exceeded() {
    let t = org().await;
    t.sim.set_api_allowance(10, Some(8));
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    assert_eq!(
        t.get("/limits").await.header("sforce-limit-info"),
        Some("api-usage=10/10")
    );
    let refused = t.get("/limits").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.json(),
        serde_json::json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(
        error_code(&t.query("SELECT Id FROM Contact").await.json()),
        "REQUEST_LIMIT_EXCEEDED"
    );
    assert_eq!(t.sim.api_usage(), (10, 10), "refused calls are not counted");
}

#[tokio::test]
async fn record_counts_have_the_recorded_shape() {
    let t = org().await;
    t.sim
        .seed(
            "Contact",
            &[
                serde_json::json!({"LastName": "A"}),
                serde_json::json!({"LastName": "B"}),
            ],
        )
        .expect("seeded");
    let reply = t.get("/limits/recordCount?sObjects=Contact").await;
    assert_eq!(
        reply.json(),
        fixture("query/record_count_limits_recordCount.json")
    );
    assert_same_shape(
        &t.get("/limits/recordCount?sObjects=Lead").await.json(),
        &serde_json::json!({"sObjects": []}),
    );
}

#[tokio::test]
async fn unknown_and_retired_versions_are_refused() {
    let t = org().await;
    assert_eq!(
        t.get("/services/data/v99.0/limits").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/services/data/v29.0/limits").await.status,
        StatusCode::GONE
    );
    assert_eq!(
        t.get("/services/data/latest/limits").await.status,
        StatusCode::OK
    );
}
