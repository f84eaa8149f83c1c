//! Runs of a sync: their states and counters, as the engine records them and the pages show them.

use serde::{Deserialize, Serialize};

/// Runs a page of a sync's runs list holds.
pub const RUNS_PAGE: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RunStatus {
    /// Waiting for a worker.
    Queued,
    Running,
    /// Every contact pushed without an error.
    Succeeded,
    /// Finished, but some contacts were refused or invalid.
    CompletedWithErrors,
    /// Stopped by a fault the run could not get past (the message says which).
    Failed,
    Cancelled,
    /// Stopped because the org ran out of API requests; what was done is recorded.
    Paused,
}

impl RunStatus {
    pub const ALL: [RunStatus; 7] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::CompletedWithErrors,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Paused,
    ];

    /// The database's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::CompletedWithErrors => "completed_with_errors",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Paused => "paused",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Queued => "Queued",
            RunStatus::Running => "Running",
            RunStatus::Succeeded => "Succeeded",
            RunStatus::CompletedWithErrors => "Completed with errors",
            RunStatus::Failed => "Failed",
            RunStatus::Cancelled => "Cancelled",
            RunStatus::Paused => "Paused (API limit)",
        }
    }

    /// Queued or running: the sync cannot start another.
    pub fn is_active(self) -> bool {
        matches!(self, RunStatus::Queued | RunStatus::Running)
    }

    /// The icon the pages show: a green tick, amber warning, red cross, or a neutral state.
    pub fn tone(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "ok",
            RunStatus::CompletedWithErrors | RunStatus::Paused => "warn",
            RunStatus::Failed => "bad",
            RunStatus::Queued | RunStatus::Running | RunStatus::Cancelled => "neutral",
        }
    }
}

/// What a run did, contact by contact, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunCounters {
    /// Contacts in the workspace when the run started.
    pub komo_total: i64,
    /// Of those, the ones the sync's filters select.
    pub selected: i64,
    /// Records of the object in the org (`SELECT COUNT()`), when known.
    pub crm_total: Option<i64>,
    /// Selected contacts dealt with so far.
    pub processed: i64,
    pub inserted_ok: i64,
    pub inserted_failed: i64,
    pub updated_ok: i64,
    pub updated_failed: i64,
    /// The action for the case was "do nothing".
    pub skipped: i64,
    /// Nothing changed since the last successful push.
    pub unchanged: i64,
    /// Refused before any API call (e.g. a value too long for its field).
    pub invalid: i64,
}

impl RunCounters {
    pub fn failed(&self) -> i64 {
        self.inserted_failed + self.updated_failed + self.invalid
    }
}
