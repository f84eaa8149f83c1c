use crate::helpers::{error_code, fetch_token, org};
use reqwest::StatusCode;
use salesforce_sim::FaultPatch;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn fail_next_answers_503_then_recovers() {
    let t = org().await;
    t.sim.fail_next(2);
    for _ in 0..2 {
        let reply = t.get("/limits").await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error_code(&reply.json()), "SERVER_UNAVAILABLE");
    }
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    let statuses: Vec<u16> = t.sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

#[tokio::test]
async fn a_failure_percentage_of_100_fails_everything_and_0_nothing() {
    let t = org().await;
    t.sim.set_faults(FaultPatch {
        fail_percent: Some(100),
        ..Default::default()
    });
    assert_eq!(
        t.get("/limits").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    t.sim.set_faults(FaultPatch {
        fail_percent: Some(0),
        ..Default::default()
    });
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
}

#[tokio::test]
async fn locked_rows_fail_per_record() {
    let t = org().await;
    let ids = t
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "A"}), json!({"LastName": "B"})],
        )
        .expect("seeded");
    t.sim.set_faults(FaultPatch {
        lock_next_records: Some(1),
        ..Default::default()
    });
    let body = json!({"allOrNone": false, "records": ids.iter().map(|id| json!({"attributes": {"type": "Contact"}, "Id": id, "Title": "T"})).collect::<Vec<_>>()});
    let results = t.patch("/composite/sobjects", body).await.json();
    assert_eq!(results[0]["errors"][0]["statusCode"], "UNABLE_TO_LOCK_ROW");
    assert_eq!(results[1]["success"], true);

    t.sim.set_faults(FaultPatch {
        lock_ids: Some(vec![ids[1].clone()]),
        ..Default::default()
    });
    let single = t
        .patch(
            &format!("/sobjects/Contact/{}", ids[1]),
            json!({"Title": "X"}),
        )
        .await;
    assert_eq!(
        (single.status, error_code(&single.json())),
        (StatusCode::BAD_REQUEST, "UNABLE_TO_LOCK_ROW")
    );
    assert_eq!(
        t.patch(
            &format!("/sobjects/Contact/{}", ids[0]),
            json!({"Title": "X"})
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_forced_request_limit_uses_the_given_message() {
    let t = org().await;
    t.sim.set_faults(FaultPatch {
        request_limit: Some("ConcurrentPerOrgLongTxn Limit exceeded.".into()),
        ..Default::default()
    });
    let reply = t.get("/limits").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.json(),
        json!([{"message": "ConcurrentPerOrgLongTxn Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    t.sim.set_faults(FaultPatch {
        clear_request_limit: true,
        ..Default::default()
    });
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
}

#[tokio::test]
async fn expiring_tokens_forces_a_new_token() {
    let mut t = org().await;
    t.sim.expire_tokens();
    assert_eq!(
        error_code(&t.get("/limits").await.json()),
        "INVALID_SESSION_ID"
    );
    t.token = fetch_token(&t.http, t.sim.base_url()).await;
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
}

#[tokio::test]
async fn latency_delays_answers() {
    let t = org().await;
    t.sim.set_faults(FaultPatch {
        latency_ms: Some(150),
        ..Default::default()
    });
    let started = Instant::now();
    assert_eq!(t.get("/limits").await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_dropped_answer_still_applies_the_write() {
    let t = org().await;
    t.sim.set_faults(FaultPatch {
        drop_after_write: Some(1),
        ..Default::default()
    });
    let result = t
        .http
        .post(t.url("/sobjects/Contact"))
        .bearer_auth(&t.token)
        .json(&json!({"LastName": "Ghost"}))
        .send()
        .await;
    assert!(result.is_err(), "the client sees no answer: {result:?}");
    assert_eq!(t.sim.count("Contact"), 1, "but the record was written");
    assert_eq!(
        t.post("/sobjects/Contact", json!({"LastName": "Next"}))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn drop_only_loses_just_the_answers_of_the_writes_it_names() {
    let t = org().await;
    t.sim.set_faults(FaultPatch {
        drop_after_write: Some(1),
        drop_only: Some("PATCH /sobjects/Contact/".into()),
        ..Default::default()
    });
    let created = t
        .post("/sobjects/Contact", json!({"LastName": "Kept"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "a POST is not named");
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let result = t
        .http
        .patch(t.url(&format!("/sobjects/Contact/{id}")))
        .bearer_auth(&t.token)
        .json(&json!({"LastName": "Renamed"}))
        .send()
        .await;
    assert!(
        result.is_err(),
        "the named write loses its answer: {result:?}"
    );
    assert_eq!(t.sim.faults().drop_after_write, 0);
    assert!(
        t.sim.records("Contact")[0]["LastName"] == "Renamed",
        "but it was applied"
    );
}

#[tokio::test]
async fn the_email_duplicate_rule_blocks_unless_allow_save_is_sent() {
    let t = org().await;
    t.sim
        .seed(
            "Contact",
            &[json!({"LastName": "A", "Email": "dup@example.com"})],
        )
        .expect("seeded");
    t.sim.set_faults(FaultPatch {
        duplicate_rule_email: Some(true),
        ..Default::default()
    });
    let reply = t
        .post(
            "/sobjects/Contact",
            json!({"LastName": "B", "Email": "DUP@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let err = reply.json();
    assert_eq!(err[0]["errorCode"], "DUPLICATES_DETECTED");
    let dup = &err[0]["duplicateResut"];
    for key in [
        "allowSave",
        "duplicateRule",
        "duplicateRuleEntityType",
        "errorMessage",
        "matchResults",
    ] {
        assert!(dup.get(key).is_some(), "{key}");
    }
    assert_eq!(
        dup["matchResults"][0]["matchRecords"][0]["record"]["Id"]
            .as_str()
            .map(|s| &s[..3]),
        Some("003")
    );
    let allowed = t
        .http
        .post(t.url("/sobjects/Contact"))
        .bearer_auth(&t.token)
        .header("Sforce-Duplicate-Rule-Header", "allowSave=true")
        .json(&json!({"LastName": "B", "Email": "dup@example.com"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(allowed.status(), StatusCode::CREATED);
    let body = json!({"records": [{"attributes": {"type": "Contact"}, "LastName": "C", "Email": "dup@example.com"}]});
    let results = t.post("/composite/sobjects", body).await.json();
    assert_eq!(
        results[0]["errors"][0],
        json!({"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "fields": []})
    );
}
