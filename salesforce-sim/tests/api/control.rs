use crate::helpers::{org, TestOrg};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn control(
    t: &TestOrg,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let resp = t
        .http
        .request(method, t.url(&format!("/__sim{path}")))
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_control_api_drives_everything_the_library_can() {
    let t = org().await;
    use reqwest::Method as M;
    let (status, _) = control(
        &t,
        M::POST,
        "/apps",
        json!({"client_id": "pw", "client_secret": "s"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let token = t
        .http
        .post(t.url("/services/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "pw"),
            ("client_secret", "s"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(token.status(), StatusCode::OK);

    let (status, body) = control(
        &t,
        M::POST,
        "/fields/Contact",
        json!({"name": "Ext_Id", "externalId": true, "length": 40}),
    )
    .await;
    assert_eq!(
        (status, body["name"].as_str()),
        (StatusCode::CREATED, Some("Ext_Id__c"))
    );
    let (status, body) = control(
        &t,
        M::POST,
        "/records/Contact",
        json!([{"LastName": "Seeded", "Ext_Id__c": "E1"}]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["ids"].as_array().map(Vec::len), Some(1));
    let (_, body) = control(&t, M::POST, "/seed-contacts", json!({"count": 3})).await;
    assert_eq!(body["created"], 3);
    let (_, records) = control(&t, M::GET, "/records/Contact", Value::Null).await;
    assert_eq!(records.as_array().map(Vec::len), Some(4));
    assert_eq!(records[0]["Ext_Id__c"], "E1");

    control(&t, M::POST, "/faults", json!({"fail_next": 1})).await;
    assert_eq!(
        t.get("/limits").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    control(&t, M::POST, "/tokens/expire", Value::Null).await;
    assert_eq!(t.get("/limits").await.status, StatusCode::UNAUTHORIZED);
    let (_, limits) = control(&t, M::POST, "/limits", json!({"max": 5, "used": 5})).await;
    assert_eq!(limits, json!({"max": 5, "used": 5}));
    let (_, log) = control(&t, M::GET, "/requests", Value::Null).await;
    let statuses: Vec<u64> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(
        statuses,
        [200, 503, 401],
        "token call, 503, 401; control calls are not logged"
    );
    let (status, _) = control(&t, M::DELETE, "/requests", Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn the_simulator_reports_its_own_time_until_the_log_is_cleared() {
    let t = org().await;
    use reqwest::Method as M;
    control(&t, M::POST, "/faults", json!({"latency_ms": 30})).await;
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    let (_, log) = control(&t, M::GET, "/requests", Value::Null).await;
    let micros = log[0]["micros"].as_u64().expect("micros logged");
    assert!(micros >= 30_000, "the simulated latency counts: {micros}");
    let (_, busy) = control(&t, M::GET, "/busy", Value::Null).await;
    assert_eq!(busy["requests_micros"].as_u64(), Some(micros));
    assert_eq!(busy["jobs_micros"].as_u64(), Some(0), "no Bulk job ran");

    control(&t, M::DELETE, "/requests", Value::Null).await;
    let (_, busy) = control(&t, M::GET, "/busy", Value::Null).await;
    assert_eq!(busy, json!({"requests_micros": 0, "jobs_micros": 0}));
}
