//! A sync row as [`super::SYNC_SELECT`] returns it, and its conversion: stored text goes back through the
//! same parsers as input, so a corrupt row is an error rather than a surprise.

use super::SyncRecord;
use crate::storage::StorageError;
use app::api::syncs::{LastRun, SyncSummary};
use shared::sync::config::SyncConfig;
use shared::sync::crm::CrmObject;
use shared::sync::run::RunStatus;
use shared::sync::status::SyncStatus;

#[derive(sqlx::FromRow)]
pub(crate) struct SyncRow {
    id: i64,
    name: String,
    object: String,
    status: String,
    config: String,
    config_version: i64,
    created_at: i64,
    updated_at: i64,
    connection_id: i64,
    connection_domain: String,
    run_id: Option<i64>,
    run_status: Option<String>,
    run_created_at: Option<i64>,
    run_started_at: Option<i64>,
    run_finished_at: Option<i64>,
    run_updated_at: Option<i64>,
}

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("sync {what} {value:?}"))
}

pub(crate) fn parse_object(stored: &str) -> Result<CrmObject, StorageError> {
    CrmObject::from_api_name(stored).ok_or_else(|| corrupt("object", stored))
}

pub(crate) fn parse_run_status(stored: &str) -> Result<RunStatus, StorageError> {
    RunStatus::parse(stored).ok_or_else(|| corrupt("run status", stored))
}

impl SyncRow {
    pub(crate) fn into_record(self) -> Result<SyncRecord, StorageError> {
        let object = parse_object(&self.object)?;
        let status =
            SyncStatus::parse(&self.status).ok_or_else(|| corrupt("status", &self.status))?;
        // Version 0 has never been saved: it is the builder's starting point for the chosen object.
        let config = if self.config_version == 0 {
            SyncConfig {
                object,
                ..SyncConfig::default()
            }
        } else {
            serde_json::from_str(&self.config)
                .map_err(|e| StorageError::Corrupt(format!("sync {} config: {e}", self.id)))?
        };
        let last_run = match (self.run_id, self.run_status, self.run_created_at) {
            (Some(id), Some(status), Some(created_at)) => {
                let status = parse_run_status(&status)?;
                let started = self.run_started_at;
                let end = self.run_finished_at.or(self.run_updated_at);
                Some(LastRun {
                    id,
                    status,
                    at: self.run_finished_at.or(started).unwrap_or(created_at),
                    duration_secs: started.zip(end).map(|(s, e)| (e - s).max(0)),
                })
            }
            _ => None,
        };
        Ok(SyncRecord {
            summary: SyncSummary {
                id: self.id,
                name: self.name,
                connection_id: self.connection_id,
                connection_domain: self.connection_domain,
                object,
                status,
                config_version: self.config_version,
                created_at: self.created_at,
                updated_at: self.updated_at,
                last_run,
            },
            config,
        })
    }
}
