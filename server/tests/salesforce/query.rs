//! SOQL paging across 2,000-row pages, COUNT(), escaping, and query errors.

use crate::helpers::{org, record};
use futures::{StreamExt, TryStreamExt};
use server::salesforce::collections::RecordBatch;
use server::salesforce::query::{soql_string, Record};
use server::salesforce::{SalesforceError, API_VERSION};
use std::collections::HashSet;

fn query_calls(org: &crate::helpers::TestOrg) -> usize {
    org.calls_under(&format!("/services/data/{API_VERSION}/query"))
}

#[tokio::test]
async fn a_query_follows_next_records_url_across_pages() {
    let org = org().await;
    org.sim.seed_contacts(4_500).expect("seeded");
    let records: Vec<Record> = org
        .client
        .query("SELECT Id, Email FROM Contact")
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(records.len(), 4_500);
    let ids: HashSet<&str> = records
        .iter()
        .filter_map(|r| r.get("Id").and_then(|v| v.as_str()))
        .collect();
    assert_eq!(ids.len(), 4_500, "no page repeated or skipped");
    assert_eq!(query_calls(&org), 3, "2,000 + 2,000 + 500");
}

#[tokio::test]
async fn a_caller_that_stops_early_fetches_no_further_pages() {
    let org = org().await;
    org.sim.seed_contacts(4_500).expect("seeded");
    let first: Vec<Result<Record, SalesforceError>> = org
        .client
        .query("SELECT Id FROM Contact")
        .take(2_001)
        .collect()
        .await;
    assert_eq!(first.len(), 2_001);
    assert_eq!(query_calls(&org), 2);
}

#[tokio::test]
async fn count_and_escaped_literals_find_exactly_the_right_rows() {
    let org = org().await;
    org.sim.seed_contacts(30).expect("seeded");
    let tricky = r"O'Brien \ Sons";
    let batch = RecordBatch::new(
        "Contact",
        vec![
            record(&[("LastName", tricky)]),
            record(&[("LastName", "O")]),
        ],
    )
    .expect("batch");
    org.client.create_records(&batch).await.expect("created");
    assert_eq!(
        org.client
            .count("SELECT COUNT() FROM Contact")
            .await
            .expect("count"),
        32
    );
    let soql = format!(
        "SELECT COUNT() FROM Contact WHERE LastName = {}",
        soql_string(tricky)
    );
    assert_eq!(org.client.count(&soql).await.expect("count"), 1);
    let rows: Vec<Record> = org
        .client
        .query(&format!(
            "SELECT Id, LastName FROM Contact WHERE LastName = {}",
            soql_string(tricky)
        ))
        .try_collect()
        .await
        .expect("query");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["LastName"], tricky);
}

#[tokio::test]
async fn a_malformed_query_ends_the_stream_with_salesforces_code() {
    let org = org().await;
    let mut stream = Box::pin(org.client.query::<Record>("SELEKT Id FROM Contact"));
    let first = stream.next().await.expect("one item");
    assert!(
        matches!(&first, Err(SalesforceError::Api { status: 400, code, .. }) if code == "MALFORMED_QUERY"),
        "{first:?}"
    );
    assert!(stream.next().await.is_none());
}
