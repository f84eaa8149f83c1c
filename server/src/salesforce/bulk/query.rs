//! Bulk API 2.0 query jobs (doc §6.3): for reads too large for REST paging. Results are CSV pages linked
//! by `Sforce-Locator`, which is the string `null` after the last page.

use super::results::{parse_csv, CsvRow};
use super::{check_job_id, JobStatus, PollPolicy};
use crate::salesforce::client::{RawRequest, SalesforceClient};
use crate::salesforce::error::SalesforceError;
use crate::salesforce::retry::Idempotency;
use crate::salesforce::wire::BulkJobInfo;
use crate::salesforce::API_VERSION;
use futures::Stream;
use serde_json::json;
use std::collections::VecDeque;

fn job_path(id: &str) -> String {
    format!("/services/data/{API_VERSION}/jobs/query/{id}")
}

fn results_path(
    job_id: &str,
    max_records: u32,
    locator: Option<&str>,
) -> Result<String, SalesforceError> {
    check_job_id(job_id)?;
    let mut path = format!(
        "{}/results?maxRecords={}",
        job_path(job_id),
        max_records.max(1)
    );
    if let Some(locator) = locator {
        let encoded: String = url::form_urlencoded::byte_serialize(locator.as_bytes()).collect();
        path.push_str("&locator=");
        path.push_str(&encoded);
    }
    Ok(path)
}

/// Reads `Sforce-Locator`: the string `null` (or nothing) ends the pages.
fn next_locator(header: Option<&str>, previous: Option<&str>) -> Result<Next, SalesforceError> {
    Ok(match header {
        None | Some("null" | "") => Next::Done,
        // The same locator again would loop forever.
        Some(l) if Some(l) == previous => {
            return Err(SalesforceError::unexpected(
                "Sforce-Locator did not advance",
            ))
        }
        Some(l) => Next::Locator(l.to_owned()),
    })
}

/// Where the next page starts: `None` when there is none.
enum Next {
    First,
    Locator(String),
    Done,
}

impl SalesforceClient {
    /// Starts a query job. No `COUNT()`, `GROUP BY`, `OFFSET` or subqueries (Salesforce refuses them).
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm>
    ///
    /// # Errors
    /// `Api` with `MALFORMED_QUERY`, `INVALID_FIELD` or `INVALIDJOB`; as [`SalesforceClient::send`]
    /// otherwise.
    #[tracing::instrument(skip_all)]
    pub async fn create_query_job(&self, soql: &str) -> Result<JobStatus, SalesforceError> {
        let path = format!("/services/data/{API_VERSION}/jobs/query");
        let body = json!({ "operation": "query", "query": soql });
        // A read: a duplicate job from a lost answer only costs one of the daily 10,000 query jobs.
        let info: BulkJobInfo = self
            .send(reqwest::Method::POST, &path, Some(&body), Idempotency::Safe)
            .await?
            .body
            .json()?;
        info.try_into()
    }

    /// One poll of a query job.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm>
    ///
    /// # Errors
    /// `Api` with `NOT_FOUND` for an unknown job; as [`SalesforceClient::send`] otherwise.
    pub async fn query_job(&self, job_id: &str) -> Result<JobStatus, SalesforceError> {
        check_job_id(job_id)?;
        let info: BulkJobInfo = self.get_json(&job_path(job_id)).await?;
        info.try_into()
    }

    /// Polls until the query job is terminal (or `policy.max_polls` is reached).
    ///
    /// # Errors
    /// As [`Self::query_job`].
    pub async fn wait_query_job(
        &self,
        job_id: &str,
        policy: PollPolicy,
    ) -> Result<JobStatus, SalesforceError> {
        self.wait_with(policy, || self.query_job(job_id)).await
    }

    /// The rows of a finished query job, `max_records` per page (Salesforce may send fewer), fetched as the
    /// stream is read by following `Sforce-Locator`.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm>
    ///
    /// # Errors
    /// An `Err` item (and the end of the stream) when a page cannot be fetched or read; `Api` with
    /// `INVALIDJOBSTATE` when the job has not finished.
    pub fn query_job_results<'a>(
        &'a self,
        job_id: &'a str,
        max_records: u32,
    ) -> impl Stream<Item = Result<CsvRow, SalesforceError>> + Send + 'a {
        futures::stream::try_unfold(
            (VecDeque::<CsvRow>::new(), Next::First),
            move |(mut rows, mut next)| async move {
                loop {
                    if let Some(row) = rows.pop_front() {
                        return Ok(Some((row, (rows, next))));
                    }
                    let locator = match std::mem::replace(&mut next, Next::Done) {
                        Next::Done => return Ok(None),
                        Next::First => None,
                        Next::Locator(l) => Some(l),
                    };
                    let (page, following) = self
                        .query_results_page(job_id, max_records, locator)
                        .await?;
                    rows.extend(page);
                    next = following;
                }
            },
        )
    }

    /// One page of a finished query job's rows streamed into `dest` (CSV with a header), and the locator of
    /// the next page (`None` after the last). For large reads: the page is never held in memory.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm>
    ///
    /// # Errors
    /// As [`SalesforceClient::download`]; `Decode` when the locator does not advance.
    pub async fn download_query_page(
        &self,
        job_id: &str,
        max_records: u32,
        locator: Option<&str>,
        dest: &std::path::Path,
    ) -> Result<Option<String>, SalesforceError> {
        let path = results_path(job_id, max_records, locator)?;
        let answer = self.download(&path, "text/csv", dest).await?;
        match next_locator(answer.header("sforce-locator"), locator)? {
            Next::Locator(l) => Ok(Some(l)),
            Next::First | Next::Done => Ok(None),
        }
    }

    async fn query_results_page(
        &self,
        job_id: &str,
        max_records: u32,
        locator: Option<String>,
    ) -> Result<(Vec<CsvRow>, Next), SalesforceError> {
        let path = results_path(job_id, max_records, locator.as_deref())?;
        let request = RawRequest {
            body: None,
            accept: "text/csv",
        };
        let answer = self
            .send_raw(reqwest::Method::GET, &path, request, Idempotency::Safe)
            .await?;
        let next = next_locator(answer.header("sforce-locator"), locator.as_deref())?;
        let rows = if answer.body.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            parse_csv(&answer.body, b',')?
        };
        Ok((rows, next))
    }
}
