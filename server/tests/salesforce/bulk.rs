//! Bulk API 2.0 round trips: ingest with per-row results, upsert, abort, and query jobs paged with
//! `Sforce-Locator`. Jobs are awaited with the simulator's `wait_for_job`, or with polls at zero backoff.

use crate::helpers::org;
use futures::TryStreamExt;
use salesforce_sim::CustomField;
use server::salesforce::bulk::ingest::write_csv;
use server::salesforce::bulk::{
    IngestOperation, IngestRowResult, IngestSpec, JobState, PollPolicy, RowOutcome,
};
use server::salesforce::{SalesforceError, API_VERSION};
use std::time::Duration;

fn insert_contacts() -> IngestSpec {
    IngestSpec {
        object: "Contact".into(),
        operation: IngestOperation::Insert,
    }
}

/// Polls as fast as the simulator answers: backoff_scale is 0 in these tests.
fn eager() -> PollPolicy {
    PollPolicy {
        first: Duration::from_secs(5),
        max: Duration::from_secs(60),
        max_polls: 100_000,
    }
}

#[tokio::test]
async fn an_insert_job_reports_each_row_with_its_original_columns() {
    let org = org().await;
    let csv = write_csv(
        &["LastName", "Email", "Description"],
        [
            ["Lee", "lee@example.com", "likes, commas"],
            ["", "nolast@example.com", "no last name"],
            ["Ng", "ng@example.com", "multi\nline"],
        ],
    )
    .expect("csv");
    let started = org
        .client
        .start_ingest(&insert_contacts(), csv)
        .await
        .expect("started");
    assert_eq!(started.state, JobState::UploadComplete);
    assert_eq!(org.sim.wait_for_job(&started.id).await, Some("JobComplete"));
    let done = org.client.ingest_job(&started.id).await.expect("poll");
    assert_eq!(done.state, JobState::JobComplete);
    assert_eq!((done.records_processed, done.records_failed), (3, 1));

    let rows: Vec<IngestRowResult> = org
        .client
        .ingest_results(&started.id)
        .try_collect()
        .await
        .expect("results");
    assert_eq!(rows.len(), 3);
    let by_email = |email: &str| {
        rows.iter()
            .find(|r| r.row.get("Email") == Some(email))
            .unwrap_or_else(|| panic!("a row for {email}"))
    };
    let lee = by_email("lee@example.com");
    assert!(
        matches!(&lee.outcome, RowOutcome::Succeeded { id, created: true } if id.starts_with("003"))
    );
    assert_eq!(lee.row.get("Description"), Some("likes, commas"));
    assert_eq!(
        by_email("ng@example.com").row.get("Description"),
        Some("multi\nline")
    );
    let RowOutcome::Failed { id, error } = &by_email("nolast@example.com").outcome else {
        panic!("the row without LastName fails");
    };
    assert_eq!(id, &None);
    assert_eq!(error.code, "REQUIRED_FIELD_MISSING");
    assert_eq!(error.fields, ["LastName"]);
    assert_eq!(org.sim.count("Contact"), 2);
}

#[tokio::test]
async fn an_upsert_job_matches_on_the_external_id_and_the_client_can_poll_to_the_end() {
    let org = org().await;
    org.sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("field");
    let spec = IngestSpec {
        object: "Contact".into(),
        operation: IngestOperation::Upsert {
            external_id_field: "Marketing_Id__c".into(),
        },
    };
    let rows = |title: &str| {
        write_csv(
            &["Marketing_Id__c", "LastName", "Title"],
            (0..50).map(|i| [format!("m-{i}"), format!("Last {i}"), title.to_owned()]),
        )
        .expect("csv")
    };
    let mut created = Vec::new();
    for title in ["v1", "v2"] {
        let job = org
            .client
            .start_ingest(&spec, rows(title))
            .await
            .expect("started");
        let done = org
            .client
            .wait_ingest_job(&job.id, eager())
            .await
            .expect("polled");
        assert_eq!(done.state, JobState::JobComplete);
        let results: Vec<IngestRowResult> = org
            .client
            .ingest_results(&job.id)
            .try_collect()
            .await
            .expect("results");
        assert_eq!(results.len(), 50);
        created.push(
            results
                .iter()
                .filter(|r| matches!(r.outcome, RowOutcome::Succeeded { created: true, .. }))
                .count(),
        );
    }
    assert_eq!(created, [50, 0], "the second job only updated");
    let stored = org.sim.records("Contact");
    assert_eq!(stored.len(), 50);
    assert!(stored.iter().all(|r| r["Title"] == "v2"));
}

#[tokio::test]
async fn an_aborted_job_returns_its_rows_as_unprocessed() {
    let org = org().await;
    let job = org
        .client
        .create_ingest_job(&insert_contacts())
        .await
        .expect("job");
    assert_eq!(job.state, JobState::Open);
    let csv = write_csv(&["LastName"], [["A"], ["B"]]).expect("csv");
    org.client
        .upload_ingest_data(&job.id, csv)
        .await
        .expect("uploaded");
    let aborted = org.client.abort_ingest_job(&job.id).await.expect("aborted");
    assert_eq!(aborted.state, JobState::Aborted);
    let rows: Vec<IngestRowResult> = org
        .client
        .ingest_results(&job.id)
        .try_collect()
        .await
        .expect("results");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.outcome == RowOutcome::Unprocessed));
    assert_eq!(rows[0].row.get("LastName"), Some("A"));
    assert_eq!(org.sim.count("Contact"), 0);
}

#[tokio::test]
async fn a_job_on_a_field_that_is_not_a_key_is_refused_and_a_second_upload_too() {
    let org = org().await;
    let spec = IngestSpec {
        object: "Contact".into(),
        operation: IngestOperation::Upsert {
            external_id_field: "LastName".into(),
        },
    };
    let error = org
        .client
        .create_ingest_job(&spec)
        .await
        .expect_err("not a key");
    assert!(
        matches!(&error, SalesforceError::Api { status: 400, code, .. } if code == "INVALIDJOB"),
        "{error:?}"
    );
    let job = org
        .client
        .create_ingest_job(&insert_contacts())
        .await
        .expect("job");
    let csv = write_csv(&["LastName"], [["A"]]).expect("csv");
    org.client
        .upload_ingest_data(&job.id, csv.clone())
        .await
        .expect("first upload");
    let error = org
        .client
        .upload_ingest_data(&job.id, csv)
        .await
        .expect_err("one upload per job");
    assert!(
        matches!(&error, SalesforceError::Api { status: 409, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_query_job_pages_its_csv_with_the_locator() {
    let org = org().await;
    org.sim.seed_contacts(2_500).expect("seeded");
    let job = org
        .client
        .create_query_job("SELECT Id, Email, LastName FROM Contact")
        .await
        .expect("job");
    let done = org
        .client
        .wait_query_job(&job.id, eager())
        .await
        .expect("polled");
    assert_eq!(done.state, JobState::JobComplete);
    let rows: Vec<_> = org
        .client
        .query_job_results(&job.id, 1_000)
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(rows.len(), 2_500);
    assert!(rows
        .iter()
        .all(|r| r.get("Id").is_some_and(|id| id.starts_with("003"))));
    let unique: std::collections::HashSet<_> = rows.iter().filter_map(|r| r.get("Id")).collect();
    assert_eq!(unique.len(), 2_500);
    let pages: Vec<Option<String>> = org
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/results"))
        .map(|r| r.query)
        .collect();
    assert_eq!(pages.len(), 3, "1,000 + 1,000 + 500");
    assert!(pages[1].as_deref().is_some_and(|q| q.contains("locator=")));
    assert!(pages[0].as_deref().is_some_and(|q| !q.contains("locator=")));
    let path = format!("/services/data/{API_VERSION}/jobs/query/{}/results", job.id);
    assert_eq!(org.calls_to(&path), 3);
}

#[tokio::test]
async fn a_query_job_with_a_bad_field_is_refused() {
    let org = org().await;
    let error = org
        .client
        .create_query_job("SELECT Nope__c FROM Contact")
        .await
        .expect_err("bad field");
    assert!(
        matches!(&error, SalesforceError::Api { status: 400, .. }),
        "{error:?}"
    );
}
