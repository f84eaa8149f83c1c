//! "Not now" answers, limits, usage tracking, and a lost answer on a write.

use crate::helpers::{org, record};
use salesforce_sim::FaultPatch;
use server::salesforce::collections::RecordBatch;
use server::salesforce::retry::MAX_ATTEMPTS;
use server::salesforce::wire::ApiUsage;
use server::salesforce::{SalesforceError, API_VERSION};

/// A metered data-API call that Test Connection does not make, so only the faulted calls are counted.
fn probe() -> String {
    format!("/services/data/{API_VERSION}/sobjects")
}

#[tokio::test]
async fn a_burst_of_503s_is_retried_until_it_passes() {
    let org = org().await;
    org.client.check_connection().await.expect("token first");
    org.sim.fail_next(3);
    let _: serde_json::Value = org.client.get_json(&probe()).await.expect("succeeds");
    let statuses: Vec<u16> = org
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == probe())
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [503, 503, 503, 200]);
}

#[tokio::test]
async fn an_outage_longer_than_the_retries_is_reported_as_retryable() {
    let org = org().await;
    org.client.check_connection().await.expect("token first");
    org.sim.fail_next(MAX_ATTEMPTS + 2);
    let error = org
        .client
        .get_json::<serde_json::Value>(&probe())
        .await
        .expect_err("gives up");
    assert!(
        matches!(&error, SalesforceError::Api { status: 503, code, .. } if code == "SERVER_UNAVAILABLE"),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(org.calls_to(&probe()), MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn request_limit_exceeded_stops_at_once() {
    let org = org().await;
    org.client.check_connection().await.expect("token first");
    org.sim.set_faults(FaultPatch {
        request_limit: Some("TotalRequests Limit exceeded.".into()),
        ..FaultPatch::default()
    });
    let error = org
        .client
        .get_json::<serde_json::Value>(&probe())
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, SalesforceError::Api { status: 403, code, .. } if code == "REQUEST_LIMIT_EXCEEDED"),
        "{error:?}"
    );
    assert_eq!(org.calls_to(&probe()), 1, "no retry");
}

#[tokio::test]
async fn the_spent_daily_allowance_is_refused_and_the_usage_header_read() {
    let org = org().await;
    org.sim.set_api_allowance(1000, Some(500));
    assert_eq!(org.client.api_usage(), None);
    let _: serde_json::Value = org.client.get_json(&probe()).await.expect("call");
    assert_eq!(
        org.client.api_usage(),
        Some(ApiUsage {
            used: 501,
            allowed: 1000
        })
    );
    let _: serde_json::Value = org.client.get_json(&probe()).await.expect("call");
    assert_eq!(org.client.api_usage().map(|u| u.used), Some(502));
    org.sim.set_api_allowance(1000, Some(1000));
    let error = org
        .client
        .get_json::<serde_json::Value>(&probe())
        .await
        .expect_err("allowance spent");
    assert!(
        matches!(&error, SalesforceError::Api { code, .. } if code == "REQUEST_LIMIT_EXCEEDED"),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_insert_whose_answer_was_lost_is_ambiguous_and_not_resent() {
    let org = org().await;
    org.client.check_connection().await.expect("token first");
    org.sim.set_faults(FaultPatch {
        drop_after_write: Some(1),
        ..FaultPatch::default()
    });
    let batch = RecordBatch::new(
        "Contact",
        vec![record(&[
            ("LastName", "Lost"),
            ("Email", "lost@example.com"),
        ])],
    )
    .expect("batch");
    let error = org
        .client
        .create_records(&batch)
        .await
        .expect_err("answer lost");
    assert!(matches!(error, SalesforceError::Ambiguous), "{error:?}");
    assert_eq!(org.sim.write_calls(), 1, "sent once, never resent");
    assert_eq!(
        org.sim.contacts_with_email("lost@example.com"),
        1,
        "it was applied"
    );
}

#[tokio::test]
async fn an_upsert_whose_answer_was_lost_is_resent_and_lands_once() {
    let org = org().await;
    org.client.check_connection().await.expect("token first");
    org.sim.set_faults(FaultPatch {
        drop_after_write: Some(1),
        ..FaultPatch::default()
    });
    let batch = RecordBatch::new(
        "Contact",
        vec![record(&[
            ("LastName", "Twice"),
            ("Email", "twice@example.com"),
        ])],
    )
    .expect("batch");
    let results = org
        .client
        .upsert_records(&batch, "Email")
        .await
        .expect("resent");
    assert!(results[0].success);
    assert_eq!(
        results[0].created,
        Some(false),
        "the resend matched the first"
    );
    assert_eq!(org.sim.write_calls(), 2);
    assert_eq!(org.sim.contacts_with_email("twice@example.com"), 1);
}
