//! sObject Collections (doc §5.2): up to 200 records per call, one API call, answered per record in request
//! order. The workhorse for pushes below ~2,000 rows; above that, Bulk API 2.0 ([`super::bulk`]).

use super::client::SalesforceClient;
use super::describe::is_api_name;
use super::error::SalesforceError;
use super::query::Record;
use super::retry::Idempotency;
use super::wire::CollectionItem;
use super::API_VERSION;
use serde_json::{json, Value};

/// Salesforce refuses a Collections call with more records (HTTP 400).
pub const MAX_RECORDS: usize = 200;

/// What happened to one record: `id`, `success`, `created` (upsert only) and the errors with their
/// `statusCode`, `message` and `fields`.
pub type RecordResult = CollectionItem;
pub use super::wire::RecordErrorItem as RecordError;

/// A batch is built once and is then known to fit one call.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BatchError {
    #[error("a Collections call takes at most {MAX_RECORDS} records, not {0}")]
    TooMany(usize),
    #[error("\"{0}\" is not a Salesforce API name")]
    BadName(String),
}

/// Records of one object for one Collections call: at most [`MAX_RECORDS`], each given as its fields
/// (`attributes` is added when sending).
#[derive(Debug, Clone)]
pub struct RecordBatch {
    object: String,
    records: Vec<Record>,
    all_or_none: bool,
}

impl RecordBatch {
    /// # Errors
    /// [`BatchError::TooMany`] above [`MAX_RECORDS`]; `BadName` for an object that is not an API name.
    pub fn new(object: &str, records: Vec<Record>) -> Result<Self, BatchError> {
        if !is_api_name(object) {
            return Err(BatchError::BadName(object.to_owned()));
        }
        if records.len() > MAX_RECORDS {
            return Err(BatchError::TooMany(records.len()));
        }
        Ok(Self {
            object: object.to_owned(),
            records,
            all_or_none: false,
        })
    }

    /// Roll every record back when one fails. Off by default: records succeed or fail on their own, and
    /// the push engine records each failure on its row.
    #[must_use]
    pub fn all_or_none(mut self, yes: bool) -> Self {
        self.all_or_none = yes;
        self
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn body(&self) -> Value {
        let records: Vec<Value> = self
            .records
            .iter()
            .map(|fields| {
                let mut record = fields.clone();
                record.insert("attributes".into(), json!({ "type": self.object }));
                Value::Object(record)
            })
            .collect();
        json!({ "allOrNone": self.all_or_none, "records": records })
    }
}

impl SalesforceClient {
    /// Inserts the batch. An insert whose answer is lost is not resent (`Ambiguous`): look the records up
    /// by their match keys before trying again.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm>
    ///
    /// # Errors
    /// `Ambiguous` when the answer was lost; `Api` when the request as a whole was refused (records that
    /// fail validation are `Ok` results with `success: false`); the errors of [`SalesforceClient::send`].
    #[tracing::instrument(skip_all, fields(object = %batch.object, records = batch.len()))]
    pub async fn create_records(
        &self,
        batch: &RecordBatch,
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        let path = format!("/services/data/{API_VERSION}/composite/sobjects");
        self.collections(reqwest::Method::POST, &path, batch, Idempotency::Unsafe)
            .await
    }

    /// Updates records by the `Id` each carries; sending it twice lands the same way, so it is retried.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm>
    ///
    /// # Errors
    /// As [`Self::create_records`], except that a lost answer is retried rather than `Ambiguous`.
    #[tracing::instrument(skip_all, fields(object = %batch.object, records = batch.len()))]
    pub async fn update_records(
        &self,
        batch: &RecordBatch,
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        let path = format!("/services/data/{API_VERSION}/composite/sobjects");
        self.collections(reqwest::Method::PATCH, &path, batch, Idempotency::Safe)
            .await
    }

    /// Inserts or updates by `external_id_field` (an External ID field, or an id lookup such as `Email`);
    /// each record carries that field. Safe to resend: a second send matches what the first created.
    ///
    /// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm>
    ///
    /// # Errors
    /// As [`Self::update_records`]; `Api` with `NOT_FOUND` when the field is not an upsert key.
    #[tracing::instrument(skip_all, fields(object = %batch.object, records = batch.len()))]
    pub async fn upsert_records(
        &self,
        batch: &RecordBatch,
        external_id_field: &str,
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        if !is_api_name(external_id_field) {
            return Err(SalesforceError::Api {
                status: 404,
                code: "NOT_FOUND".into(),
                message: format!("\"{external_id_field}\" is not a field name"),
            });
        }
        let path = format!(
            "/services/data/{API_VERSION}/composite/sobjects/{}/{external_id_field}",
            batch.object
        );
        self.collections(reqwest::Method::PATCH, &path, batch, Idempotency::Safe)
            .await
    }

    async fn collections(
        &self,
        method: reqwest::Method,
        path: &str,
        batch: &RecordBatch,
        idempotency: Idempotency,
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let results: Vec<RecordResult> = self
            .send(method, path, Some(&batch.body()), idempotency)
            .await?
            .body
            .json()?;
        // Results are matched to records by position, so a short answer must not be zipped silently.
        if results.len() != batch.len() {
            return Err(SalesforceError::unexpected(format!(
                "{} results for {} records",
                results.len(),
                batch.len()
            )));
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(last: &str) -> Record {
        let mut r = Record::new();
        r.insert("LastName".into(), json!(last));
        r
    }

    #[test]
    fn a_batch_holds_at_most_two_hundred_records_of_a_named_object() {
        assert!(RecordBatch::new("Contact", vec![record("a"); MAX_RECORDS]).is_ok());
        assert_eq!(
            RecordBatch::new("Contact", vec![record("a"); MAX_RECORDS + 1]).err(),
            Some(BatchError::TooMany(201))
        );
        assert!(matches!(
            RecordBatch::new("Contact/x", vec![]),
            Err(BatchError::BadName(_))
        ));
    }

    #[test]
    fn every_record_is_typed_and_all_or_none_defaults_to_false() {
        let batch = RecordBatch::new("Lead", vec![record("Lee")]).expect("batch");
        assert_eq!(
            batch.body(),
            json!({"allOrNone": false, "records": [{"LastName": "Lee", "attributes": {"type": "Lead"}}]})
        );
        assert_eq!(batch.all_or_none(true).body()["allOrNone"], json!(true));
    }

    #[test]
    fn the_documented_answer_decodes() {
        let answer = r#"[{"id": "003xx00000AAAAAAA1", "success": true, "errors": [], "created": true},
            {"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
             "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]}]"#;
        let results: Vec<RecordResult> = serde_json::from_str(answer).expect("decodes");
        assert_eq!(results[0].created, Some(true));
        assert_eq!(results[1].id, None);
        assert_eq!(results[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
        assert_eq!(results[1].errors[0].fields, ["LastName"]);
    }
}
