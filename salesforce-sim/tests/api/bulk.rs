use crate::helpers::{error_code, fixture, org, TestOrg};
use reqwest::{Method, StatusCode};
use salesforce_sim::{CustomField, SimConfig};
use serde_json::{json, Value};

async fn put_csv(t: &TestOrg, job: &str, csv: &str) -> StatusCode {
    t.http
        .put(t.url(&format!("/jobs/ingest/{job}/batches")))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("sent")
        .status()
}

/// Create → upload → UploadComplete → wait; returns the job id and final info.
async fn run_job(t: &TestOrg, spec: Value, csv: &str) -> (String, Value) {
    let created = t.post("/jobs/ingest", spec).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let info = created.json();
    assert_eq!(info["state"], "Open");
    let id = info["id"].as_str().expect("id").to_owned();
    assert_eq!(
        info["contentUrl"],
        format!("services/data/v62.0/jobs/ingest/{id}/batches")
    );
    assert_eq!(put_csv(t, &id, csv).await, StatusCode::CREATED);
    let closed = t
        .patch(
            &format!("/jobs/ingest/{id}"),
            json!({"state": "UploadComplete"}),
        )
        .await
        .json();
    assert_eq!(closed["state"], "UploadComplete");
    assert!(t.sim.wait_for_job(&id).await.is_some());
    let info = t.get(&format!("/jobs/ingest/{id}")).await.json();
    (id, info)
}

async fn csv_rows(t: &TestOrg, path: &str) -> Vec<Vec<String>> {
    let reply = t.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    assert_eq!(reply.header("content-type"), Some("text/csv"));
    csv::Reader::from_reader(reply.text.as_bytes())
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_owned).collect())
        .collect()
}

async fn csv_header(t: &TestOrg, path: &str) -> Vec<String> {
    let reply = t.get(path).await;
    let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
    reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_insert_job_reports_successes_and_failures_with_sf_columns() {
    let t = org().await;
    let csv = "FirstName,LastName,Email\nAda,Lovelace,Ada@Example.com\nNo,,nolast@example.com\n\"Multi\nLine\",\"O\"\"Hara\",oh@example.com\n";
    let (id, info) = run_job(
        &t,
        json!({"object": "Contact", "operation": "insert", "lineEnding": "LF"}),
        csv,
    )
    .await;
    assert_eq!(info["state"], "JobComplete");
    let busy: Value = t
        .http
        .get(t.url("/__sim/busy"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(
        busy["jobs_micros"].as_u64() > Some(0),
        "the job's processing counts as the simulator's time: {busy}"
    );
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(3), Some(1))
    );
    for key in [
        "id",
        "operation",
        "object",
        "createdById",
        "createdDate",
        "systemModstamp",
        "concurrencyMode",
        "contentType",
        "apiVersion",
        "jobType",
        "lineEnding",
        "columnDelimiter",
        "retries",
        "totalProcessingTime",
    ] {
        assert!(info.get(key).is_some(), "{key}");
    }
    assert_eq!(
        (info["jobType"].as_str(), info["apiVersion"].as_f64()),
        (Some("V2Ingest"), Some(62.0))
    );

    let base = format!("/jobs/ingest/{id}");
    assert_eq!(
        csv_header(&t, &format!("{base}/successfulResults/")).await,
        ["sf__Id", "sf__Created", "FirstName", "LastName", "Email"]
    );
    let ok = csv_rows(&t, &format!("{base}/successfulResults/")).await;
    assert_eq!(ok.len(), 2);
    assert!(ok[0][0].starts_with("003") && ok[0][1] == "true");
    assert_eq!(ok[1][2..], ["Multi\nLine", "O\"Hara", "oh@example.com"]);
    assert_eq!(
        csv_header(&t, &format!("{base}/failedResults/")).await,
        ["sf__Id", "sf__Error", "FirstName", "LastName", "Email"]
    );
    let failed = csv_rows(&t, &format!("{base}/failedResults/")).await;
    assert_eq!(
        failed,
        vec![vec![
            "".to_owned(),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --".to_owned(),
            "No".to_owned(),
            "".to_owned(),
            "nolast@example.com".to_owned()
        ]]
    );
    assert!(csv_rows(&t, &format!("{base}/unprocessedrecords/"))
        .await
        .is_empty());
    assert_eq!(t.sim.contacts_with_email("ada@example.com"), 1);
}

#[tokio::test]
async fn update_jobs_null_fields_with_na_and_leave_empty_cells_alone() {
    let t = org().await;
    let ids = t
        .sim
        .seed(
            "Contact",
            &[json!({"LastName": "Keep", "Title": "CTO", "Phone": "1"})],
        )
        .expect("seeded");
    let csv = format!("Id,Title,Phone\n{},#N/A,\n", ids[0]);
    let (_, info) = run_job(
        &t,
        json!({"object": "Contact", "operation": "update"}),
        &csv,
    )
    .await;
    assert_eq!(info["numberRecordsFailed"], 0);
    let record = &t.sim.records("Contact")[0];
    assert_eq!(
        (record["Title"].clone(), record["Phone"].clone()),
        (Value::Null, json!("1"))
    );
}

#[tokio::test]
async fn upsert_jobs_match_on_the_external_id_field() {
    let t = org().await;
    t.sim
        .add_custom_field(
            "Contact",
            &CustomField::external_id_text("Marketing_Id", 64),
        )
        .expect("field");
    t.sim
        .seed(
            "Contact",
            &[json!({"LastName": "Old", "Marketing_Id__c": "M1"})],
        )
        .expect("seeded");
    let (id, info) = run_job(
        &t,
        json!({"object": "Contact", "operation": "upsert", "externalIdFieldName": "Marketing_Id__c", "columnDelimiter": "PIPE"}),
        "Marketing_Id__c|LastName\nM1|Updated\nM2|New\n",
    )
    .await;
    assert_eq!(info["numberRecordsProcessed"], 2);
    let reply = t.get(&format!("/jobs/ingest/{id}/successfulResults")).await;
    let created: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(b'|')
        .from_reader(reply.text.as_bytes())
        .records()
        .map(|r| r.expect("row")[1].to_owned())
        .collect();
    assert_eq!(created, ["false", "true"]);
    assert_eq!(t.sim.count("Contact"), 2);
}

#[tokio::test]
async fn an_unknown_column_fails_the_job() {
    let t = org().await;
    let (_, info) = run_job(
        &t,
        json!({"object": "Contact", "operation": "insert"}),
        "LastName,Nope__c\nA,b\n",
    )
    .await;
    assert_eq!(info["state"], "Failed");
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : Field name not found : Nope__c"
    );
    assert_eq!(t.sim.count("Contact"), 0);
}

#[tokio::test]
async fn job_creation_and_state_errors() {
    let t = org().await;
    let no_ext = t
        .post(
            "/jobs/ingest",
            json!({"object": "Contact", "operation": "upsert"}),
        )
        .await;
    assert_eq!(
        (no_ext.status, error_code(&no_ext.json())),
        (StatusCode::BAD_REQUEST, "INVALIDJOB")
    );
    let unknown = t.get("/jobs/ingest/750000000000000AAA").await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (StatusCode::NOT_FOUND, fixture("errors/not_found_404.json"))
    );

    let id = t
        .post(
            "/jobs/ingest",
            json!({"object": "Contact", "operation": "insert"}),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(put_csv(&t, &id, "LastName\nA\n").await, StatusCode::CREATED);
    // A second upload is refused by default (unverified; see SimConfig::bulk_allow_multiple_uploads).
    assert_eq!(
        put_csv(&t, &id, "LastName\nB\n").await,
        StatusCode::CONFLICT
    );
    let aborted = t
        .patch(&format!("/jobs/ingest/{id}"), json!({"state": "Aborted"}))
        .await
        .json();
    assert_eq!(aborted["state"], "Aborted");
    assert_eq!(
        csv_rows(&t, &format!("/jobs/ingest/{id}/unprocessedrecords")).await,
        vec![vec!["A".to_owned()]]
    );
    assert_eq!(
        t.call(Method::DELETE, &format!("/jobs/ingest/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.sim.count("Contact"), 0);
}

#[tokio::test]
async fn several_uploads_append_when_enabled() {
    let t = crate::helpers::start(SimConfig {
        bulk_allow_multiple_uploads: true,
        ..SimConfig::default()
    })
    .await;
    let id = t
        .post(
            "/jobs/ingest",
            json!({"object": "Contact", "operation": "insert"}),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(put_csv(&t, &id, "LastName\nA\n").await, StatusCode::CREATED);
    assert_eq!(put_csv(&t, &id, "LastName\nB\n").await, StatusCode::CREATED);
    t.patch(
        &format!("/jobs/ingest/{id}"),
        json!({"state": "UploadComplete"}),
    )
    .await;
    assert_eq!(t.sim.wait_for_job(&id).await, Some("JobComplete"));
    assert_eq!(t.sim.count("Contact"), 2);
}

#[tokio::test]
async fn query_jobs_page_with_sforce_locator() {
    let t = org().await;
    t.sim.seed_contacts(5).expect("seeded");
    let created = t
        .post(
            "/jobs/query",
            json!({"operation": "query", "query": "SELECT Id, Email, Title FROM Contact"}),
        )
        .await
        .json();
    assert_eq!(
        (created["state"].as_str(), created["jobType"].as_str()),
        (Some("UploadComplete"), Some("V2Query"))
    );
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(t.sim.wait_for_job(&id).await, Some("JobComplete"));
    let mut locator: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let path = match &locator {
            None => format!("/jobs/query/{id}/results?maxRecords=2"),
            Some(l) => format!("/jobs/query/{id}/results?maxRecords=2&locator={l}"),
        };
        let reply = t.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.text.starts_with("\"Id\",\"Email\",\"Title\"\n"));
        let n: usize = reply
            .header("sforce-numberofrecords")
            .expect("count header")
            .parse()
            .expect("number");
        assert_eq!(
            csv::Reader::from_reader(reply.text.as_bytes())
                .records()
                .count(),
            n
        );
        sizes.push(n);
        match reply.header("sforce-locator") {
            Some("null") => break,
            Some(l) => locator = Some(l.to_owned()),
            None => panic!("no Sforce-Locator"),
        }
    }
    assert_eq!(sizes, [2, 2, 1]);
    let count = t
        .post(
            "/jobs/query",
            json!({"operation": "query", "query": "SELECT COUNT() FROM Contact"}),
        )
        .await;
    assert_eq!(count.status, StatusCode::BAD_REQUEST);
    let bad = t
        .post(
            "/jobs/query",
            json!({"operation": "query", "query": "SELECT Nope FROM Contact"}),
        )
        .await;
    assert_eq!(error_code(&bad.json()), "INVALID_FIELD");
}

#[tokio::test]
async fn lock_faults_fail_single_bulk_rows() {
    let t = org().await;
    t.sim.set_faults(salesforce_sim::FaultPatch {
        lock_next_records: Some(1),
        ..Default::default()
    });
    let (id, info) = run_job(
        &t,
        json!({"object": "Lead", "operation": "insert"}),
        "LastName,Company\nA,X\nB,Y\n",
    )
    .await;
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let failed = csv_rows(&t, &format!("/jobs/ingest/{id}/failedResults/")).await;
    assert!(
        failed[0][1].starts_with("UNABLE_TO_LOCK_ROW:"),
        "{:?}",
        failed[0]
    );
    assert_eq!(failed[0][2], "A");
    assert_eq!(t.sim.count("Lead"), 1);
}
