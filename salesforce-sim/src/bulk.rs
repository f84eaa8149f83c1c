//! Bulk API 2.0 jobs (doc §6): ingest jobs run on a blocking thread after
//! `UploadComplete`, writing one internal batch per hold of the org lock;
//! query jobs snapshot their rows when created.

pub mod ingest;

use crate::org::format_datetime;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::UploadComplete => "UploadComplete",
            Self::InProgress => "InProgress",
            Self::JobComplete => "JobComplete",
            Self::Failed => "Failed",
            Self::Aborted => "Aborted",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::JobComplete | Self::Failed | Self::Aborted)
    }
}

/// What happened to one CSV data row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Ok { row: u32, created: bool },
    Failed { row: Option<u32>, error: Box<str> },
    Unprocessed,
}

/// The `columnDelimiter` names and their bytes (doc §6.1).
pub fn delimiter_byte(name: &str) -> Option<u8> {
    Some(match name {
        "COMMA" => b',',
        "TAB" => b'\t',
        "PIPE" => b'|',
        "SEMICOLON" => b';',
        "CARET" => b'^',
        "BACKQUOTE" => b'`',
        _ => return None,
    })
}

#[derive(Debug, Clone)]
pub struct IngestJob {
    pub id: String,
    pub object: String,
    pub operation: String,
    pub external_id_field: Option<String>,
    pub state: JobState,
    pub created_by: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub api_version: f64,
    pub line_ending: String,
    pub column_delimiter: String,
    pub assignment_rule_id: Option<String>,
    pub data: Arc<Vec<u8>>,
    pub uploads: u32,
    pub processed: u64,
    pub failed: u64,
    pub error_message: Option<String>,
    pub outcomes: Arc<Vec<RowOutcome>>,
    pub processing_ms: u64,
}

impl IngestJob {
    pub fn info_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created_ms),
            "systemModstamp": format_datetime(self.modified_ms),
            "state": self.state.as_str(),
            "externalIdFieldName": self.external_id_field,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": self.api_version,
            "jobType": "V2Ingest",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
            "numberRecordsProcessed": self.processed,
            "numberRecordsFailed": self.failed,
            "retries": 0,
            "totalProcessingTime": self.processing_ms,
            "apiActiveProcessingTime": self.processing_ms,
            "apexProcessingTime": 0,
            "errorMessage": self.error_message,
            "assignmentRuleId": self.assignment_rule_id,
        });
        if let (JobState::Open, Some(m)) = (self.state, v.as_object_mut()) {
            let url = format!(
                "services/data/v{:.1}/jobs/ingest/{}/batches",
                self.api_version, self.id
            );
            m.insert("contentUrl".to_owned(), json!(url));
        }
        v
    }
}

/// A Bulk 2.0 query job with its snapshot of matching rows.
#[derive(Debug, Clone)]
pub struct QueryJob {
    pub id: String,
    pub operation: String,
    pub object: String,
    pub object_index: usize,
    pub query: String,
    pub state: JobState,
    pub created_by: String,
    pub created_ms: i64,
    pub api_version: f64,
    pub line_ending: String,
    pub column_delimiter: String,
    pub fields: Vec<usize>,
    pub rows: Arc<Vec<u32>>,
}

impl QueryJob {
    pub fn info_json(&self) -> Value {
        json!({
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created_ms),
            "systemModstamp": format_datetime(self.created_ms),
            "state": self.state.as_str(),
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": self.api_version,
            "jobType": "V2Query",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
            "numberRecordsProcessed": if self.state == JobState::JobComplete { self.rows.len() } else { 0 },
            "retries": 0,
            "totalProcessingTime": 0,
            "isPkChunkingSupported": true,
        })
    }
}

#[derive(Debug, Default)]
pub struct Jobs {
    pub ingest: HashMap<String, IngestJob>,
    pub query: HashMap<String, QueryJob>,
    /// Creation order, for listing.
    pub ingest_order: Vec<String>,
    pub query_order: Vec<String>,
}
