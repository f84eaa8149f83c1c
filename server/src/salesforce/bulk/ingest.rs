//! Bulk API 2.0 ingest jobs (doc §6.1): create → upload one CSV → `UploadComplete` → poll → results.

use super::results::{parse_results, IngestRowResult, ResultKind};
use super::{check_job_id, JobStatus, PollPolicy};
use crate::salesforce::client::{Payload, RawRequest, SalesforceClient};
use crate::salesforce::describe::is_api_name;
use crate::salesforce::error::SalesforceError;
use crate::salesforce::retry::Idempotency;
use crate::salesforce::wire::BulkJobInfo;
use crate::salesforce::API_VERSION;
use futures::Stream;
use serde_json::json;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOperation {
    Insert,
    /// Rows carry `Id`.
    Update,
    /// Rows carry the key; the field must be an External ID (or id lookup) field.
    Upsert {
        external_id_field: String,
    },
    /// Rows carry only `Id`.
    Delete,
}

/// What one ingest job writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestSpec {
    pub object: String,
    pub operation: IngestOperation,
}

impl IngestSpec {
    fn body(&self) -> Result<serde_json::Value, SalesforceError> {
        let bad_name = |name: &str| SalesforceError::Api {
            status: 400,
            code: "INVALIDJOB".into(),
            message: format!("\"{name}\" is not a Salesforce API name"),
        };
        if !is_api_name(&self.object) {
            return Err(bad_name(&self.object));
        }
        let mut body = json!({
            "object": self.object,
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        });
        let operation = match &self.operation {
            IngestOperation::Insert => "insert",
            IngestOperation::Update => "update",
            IngestOperation::Delete => "delete",
            IngestOperation::Upsert { external_id_field } => {
                if !is_api_name(external_id_field) {
                    return Err(bad_name(external_id_field));
                }
                body["externalIdFieldName"] = json!(external_id_field);
                "upsert"
            }
        };
        body["operation"] = json!(operation);
        Ok(body)
    }
}

/// Writes rows as the CSV Bulk API 2.0 expects: UTF-8, comma, LF, quoted where needed. An empty cell is
/// ignored on update; write `#N/A` to clear a field.
///
/// # Errors
/// `Decode` if a row cannot be written (a row whose length differs from the header's).
pub fn write_csv<I, R, S>(header: &[&str], rows: I) -> Result<bytes::Bytes, SalesforceError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| SalesforceError::csv("writing Bulk CSV", e);
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(row).map_err(fail)?;
    }
    writer
        .into_inner()
        .map(bytes::Bytes::from)
        .map_err(|e| fail(csv::Error::from(e.into_error())))
}

fn jobs_path(id: &str) -> String {
    format!("/services/data/{API_VERSION}/jobs/ingest/{id}")
}

impl SalesforceClient {
    /// Creates an ingest job, uploads `csv` and marks the upload complete; Salesforce then processes it in
    /// the background. Poll with [`Self::ingest_job`] or [`Self::wait_ingest_job`]. If the upload fails the
    /// job is aborted, so nothing half-uploaded can run.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/walkthrough_upload_data.htm>
    ///
    /// # Errors
    /// `Api` when a step is refused (e.g. `INVALIDJOB` for an unknown object or a non-key upsert field);
    /// `Ambiguous` when the upload's or close's answer was lost — look the job up before starting another.
    #[tracing::instrument(skip_all, fields(object = %spec.object, bytes = csv.len()))]
    pub async fn start_ingest(
        &self,
        spec: &IngestSpec,
        csv: bytes::Bytes,
    ) -> Result<JobStatus, SalesforceError> {
        let job = self.create_ingest_job(spec).await?;
        if let Err(e) = self.upload_ingest_data(&job.id, csv).await {
            // Best effort: an Open job that is never closed applies nothing and expires anyway.
            let _ = self.abort_ingest_job(&job.id).await;
            return Err(e);
        }
        self.close_ingest_job(&job.id).await
    }

    /// `POST /jobs/ingest`: a new job in state `Open`.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm>
    ///
    /// # Errors
    /// As [`SalesforceClient::send`].
    pub async fn create_ingest_job(&self, spec: &IngestSpec) -> Result<JobStatus, SalesforceError> {
        let path = format!("/services/data/{API_VERSION}/jobs/ingest");
        // Safe to resend: a duplicate created by a lost answer stays Open with no data, applies nothing
        // and expires.
        let info: BulkJobInfo = self
            .send(
                reqwest::Method::POST,
                &path,
                Some(&spec.body()?),
                Idempotency::Safe,
            )
            .await?
            .body
            .json()?;
        info.try_into()
    }

    /// `PUT …/batches` with the job's CSV (≤ 100 MB raw; one upload per job).
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/upload_job_data.htm>
    ///
    /// # Errors
    /// `Ambiguous` when the answer was lost (a second upload would be refused): abort the job and start
    /// over. Otherwise as [`SalesforceClient::send_raw`].
    pub async fn upload_ingest_data(
        &self,
        job_id: &str,
        csv: bytes::Bytes,
    ) -> Result<(), SalesforceError> {
        self.upload(job_id, Payload::Bytes(csv)).await
    }

    /// [`Self::upload_ingest_data`] with the CSV streamed from a file, so a 100 MB upload never sits in
    /// memory.
    ///
    /// # Errors
    /// As [`Self::upload_ingest_data`]; `Spool` when the file cannot be read.
    pub async fn upload_ingest_file(
        &self,
        job_id: &str,
        csv: &std::path::Path,
    ) -> Result<(), SalesforceError> {
        self.upload(job_id, Payload::File(csv.to_owned())).await
    }

    async fn upload(&self, job_id: &str, csv: Payload) -> Result<(), SalesforceError> {
        check_job_id(job_id)?;
        let request = RawRequest {
            body: Some(("text/csv", csv)),
            accept: "application/json",
        };
        let path = format!("{}/batches", jobs_path(job_id));
        self.send_raw(reqwest::Method::PUT, &path, request, Idempotency::Unsafe)
            .await
            .map(drop)
    }

    /// Marks the upload complete: Salesforce starts processing.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/close_job.htm>
    ///
    /// # Errors
    /// `Ambiguous` when the answer was lost (resending would be refused once the job moved on): poll the
    /// job to see where it is.
    pub async fn close_ingest_job(&self, job_id: &str) -> Result<JobStatus, SalesforceError> {
        self.set_ingest_state(job_id, "UploadComplete").await
    }

    /// Aborts a job that has not finished; rows already processed stay processed.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/close_job.htm>
    ///
    /// # Errors
    /// `Api` with `INVALIDJOBSTATE` for a finished job; as [`SalesforceClient::send`] otherwise.
    pub async fn abort_ingest_job(&self, job_id: &str) -> Result<JobStatus, SalesforceError> {
        self.set_ingest_state(job_id, "Aborted").await
    }

    async fn set_ingest_state(
        &self,
        job_id: &str,
        state: &str,
    ) -> Result<JobStatus, SalesforceError> {
        check_job_id(job_id)?;
        let body = json!({ "state": state });
        let info: BulkJobInfo = self
            .send(
                reqwest::Method::PATCH,
                &jobs_path(job_id),
                Some(&body),
                Idempotency::Unsafe,
            )
            .await?
            .body
            .json()?;
        info.try_into()
    }

    /// One poll of an ingest job.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_info.htm>
    ///
    /// # Errors
    /// `Api` with `NOT_FOUND` for an unknown job; as [`SalesforceClient::send`] otherwise.
    pub async fn ingest_job(&self, job_id: &str) -> Result<JobStatus, SalesforceError> {
        check_job_id(job_id)?;
        let info: BulkJobInfo = self.get_json(&jobs_path(job_id)).await?;
        info.try_into()
    }

    /// Polls until the job is `JobComplete`, `Failed` or `Aborted` (or `policy.max_polls` is reached).
    ///
    /// # Errors
    /// As [`Self::ingest_job`].
    pub async fn wait_ingest_job(
        &self,
        job_id: &str,
        policy: PollPolicy,
    ) -> Result<JobStatus, SalesforceError> {
        self.wait_with(policy, || self.ingest_job(job_id)).await
    }

    /// Every row's outcome of a finished job: successful, then failed, then unprocessed rows, fetched one
    /// result file at a time as the stream is read.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_successful_results.htm>
    ///
    /// # Errors
    /// An `Err` item (and the end of the stream) when a result file cannot be fetched or read; `Api` with
    /// `INVALIDJOBSTATE` when the job has not finished.
    pub fn ingest_results<'a>(
        &'a self,
        job_id: &'a str,
    ) -> impl Stream<Item = Result<IngestRowResult, SalesforceError>> + Send + 'a {
        let kinds = VecDeque::from([
            ResultKind::Successful,
            ResultKind::Failed,
            ResultKind::Unprocessed,
        ]);
        futures::stream::try_unfold(
            (VecDeque::<IngestRowResult>::new(), kinds),
            move |(mut rows, mut kinds)| async move {
                loop {
                    if let Some(row) = rows.pop_front() {
                        return Ok(Some((row, (rows, kinds))));
                    }
                    let Some(kind) = kinds.pop_front() else {
                        return Ok(None);
                    };
                    rows.extend(self.ingest_result_file(job_id, kind).await?);
                }
            },
        )
    }

    /// One result file of a finished job (`successfulResults`, `failedResults` or `unprocessedrecords`)
    /// streamed into `dest`, for callers that read it back row by row ([`super::results::read_results`])
    /// instead of holding it: a million rows of results is far more than a run should keep in memory.
    ///
    /// # Errors
    /// As [`SalesforceClient::download`]; `Api` with `INVALIDJOBSTATE` when the job has not finished.
    pub async fn download_ingest_results(
        &self,
        job_id: &str,
        kind: ResultKind,
        dest: &std::path::Path,
    ) -> Result<(), SalesforceError> {
        check_job_id(job_id)?;
        let path = format!("{}/{}", jobs_path(job_id), kind.resource());
        self.download(&path, "text/csv", dest).await.map(drop)
    }

    async fn ingest_result_file(
        &self,
        job_id: &str,
        kind: ResultKind,
    ) -> Result<Vec<IngestRowResult>, SalesforceError> {
        check_job_id(job_id)?;
        let path = format!("{}/{}", jobs_path(job_id), kind.resource());
        let request = RawRequest {
            body: None,
            accept: "text/csv",
        };
        let answer = self
            .send_raw(reqwest::Method::GET, &path, request, Idempotency::Safe)
            .await?;
        parse_results(&answer.body, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upsert_job_names_its_key_and_bad_names_never_reach_salesforce() {
        let spec = IngestSpec {
            object: "Contact".into(),
            operation: IngestOperation::Upsert {
                external_id_field: "Marketing_Id__c".into(),
            },
        };
        let body = spec.body().expect("body");
        assert_eq!(body["operation"], "upsert");
        assert_eq!(body["externalIdFieldName"], "Marketing_Id__c");
        assert_eq!(body["contentType"], "CSV");
        let bad = IngestSpec {
            object: "Contact\"}".into(),
            operation: IngestOperation::Insert,
        };
        assert!(bad.body().is_err());
    }

    #[test]
    fn csv_is_quoted_where_needed() {
        let csv = write_csv(
            &["LastName", "Description"],
            [["Lee", "says \"hi\", twice\nand again"]],
        )
        .expect("csv");
        assert_eq!(
            std::str::from_utf8(&csv).expect("utf-8"),
            "LastName,Description\nLee,\"says \"\"hi\"\", twice\nand again\"\n"
        );
    }
}
