//! A sync's own state and name, as opposed to its runs'.

use serde::{Deserialize, Serialize};

/// Whether "Sync now" may queue runs. A stopped sync keeps its configuration and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SyncStatus {
    Running,
    #[default]
    Stopped,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Running => "running",
            SyncStatus::Stopped => "stopped",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "running" => Some(SyncStatus::Running),
            "stopped" => Some(SyncStatus::Stopped),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SyncStatus::Running => "Running",
            SyncStatus::Stopped => "Stopped",
        }
    }
}

/// Longest internal name, in characters.
pub const MAX_SYNC_NAME: usize = 100;

/// A sync's internal name: trimmed, 1 to [`MAX_SYNC_NAME`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncNameError {
    #[error("Name: enter a name for this sync")]
    Empty,
    #[error("Name: at most {MAX_SYNC_NAME} characters")]
    TooLong,
}

impl SyncName {
    /// # Errors
    /// A blank or over-long name.
    pub fn parse(raw: &str) -> Result<Self, SyncNameError> {
        let name = raw.trim();
        if name.is_empty() {
            Err(SyncNameError::Empty)
        } else if name.chars().count() > MAX_SYNC_NAME {
            Err(SyncNameError::TooLong)
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            SyncName::parse("  Leads from quizzes ").map(|n| n.as_str().to_owned()),
            Ok("Leads from quizzes".to_owned())
        );
        assert_eq!(SyncName::parse("   "), Err(SyncNameError::Empty));
        assert_eq!(
            SyncName::parse(&"x".repeat(MAX_SYNC_NAME + 1)),
            Err(SyncNameError::TooLong)
        );
        assert!(SyncName::parse(&"é".repeat(MAX_SYNC_NAME)).is_ok());
    }

    #[test]
    fn statuses_round_trip_their_stored_spelling() {
        for status in [SyncStatus::Running, SyncStatus::Stopped] {
            assert_eq!(SyncStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(SyncStatus::parse("paused"), None);
    }
}
