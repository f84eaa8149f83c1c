//! A run's log as the run page asks for it: which rows (outcome, action, error code, email prefix) and
//! after which row. Parsed here so the browser and the server agree on what a filter may say.

use serde::{Deserialize, Serialize};

/// The log rows a page shows at a time.
pub const LOG_PAGE: i64 = 50;
/// The longest email prefix worth searching for (emails are at most 254 characters).
pub const MAX_EMAIL_SEARCH: usize = 254;

/// `ok` or `failed`, as the log stores it.
pub const OUTCOMES: [&str; 2] = ["ok", "failed"];
/// The actions a log row can name, as the log stores them.
pub const ACTIONS: [&str; 5] = ["insert", "update", "skip", "unchanged", "invalid"];

/// Filters on a run's log; `None` means any (and a missing part is `None`: forms leave blanks out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogFilter {
    pub outcome: Option<String>,
    pub action: Option<String>,
    pub error_code: Option<String>,
    /// The start of the email, any case.
    pub email: Option<String>,
}

/// What is wrong with a filter, naming the part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogFilterError {
    #[error("outcome must be ok or failed, not \"{0}\"")]
    Outcome(String),
    #[error("action must be one of insert, update, skip, unchanged, invalid, not \"{0}\"")]
    Action(String),
    #[error("an error code is letters, digits and underscores, e.g. REQUIRED_FIELD_MISSING")]
    ErrorCode,
    #[error("search for at most {MAX_EMAIL_SEARCH} characters of an email")]
    EmailTooLong,
}

impl LogFilterError {
    /// The filter field a message belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Outcome(_) => "outcome",
            Self::Action(_) => "action",
            Self::ErrorCode => "error_code",
            Self::EmailTooLong => "email",
        }
    }
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl LogFilter {
    /// The filter with blanks dropped and the email lower-cased (emails are stored lower-cased), or what
    /// is wrong with it.
    ///
    /// # Errors
    /// A [`LogFilterError`] naming the part that is not allowed.
    pub fn checked(self) -> Result<Self, LogFilterError> {
        let outcome = blank_to_none(self.outcome);
        if let Some(o) = &outcome {
            if !OUTCOMES.contains(&o.as_str()) {
                return Err(LogFilterError::Outcome(o.clone()));
            }
        }
        let action = blank_to_none(self.action);
        if let Some(a) = &action {
            if !ACTIONS.contains(&a.as_str()) {
                return Err(LogFilterError::Action(a.clone()));
            }
        }
        let error_code = blank_to_none(self.error_code);
        if let Some(code) = &error_code {
            let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_';
            if code.len() > 80 || !code.chars().all(allowed) {
                return Err(LogFilterError::ErrorCode);
            }
        }
        let email = blank_to_none(self.email).map(|e| e.to_lowercase());
        if email.as_ref().is_some_and(|e| e.len() > MAX_EMAIL_SEARCH) {
            return Err(LogFilterError::EmailTooLong);
        }
        Ok(Self {
            outcome,
            action,
            error_code,
            email,
        })
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(outcome: &str, action: &str, code: &str, email: &str) -> LogFilter {
        let some = |s: &str| Some(s.to_owned());
        LogFilter {
            outcome: some(outcome),
            action: some(action),
            error_code: some(code),
            email: some(email),
        }
    }

    #[test]
    fn blanks_mean_any_and_the_email_is_lower_cased() {
        let checked = filter(" ", "", "", " Ada@Example")
            .checked()
            .expect("valid");
        assert_eq!(checked.outcome, None);
        assert_eq!(checked.action, None);
        assert_eq!(checked.email.as_deref(), Some("ada@example"));
        assert!(filter("", "", "", "").checked().expect("valid").is_empty());
    }

    #[test]
    fn each_bad_part_is_named() {
        let err = |f: LogFilter| f.checked().expect_err("refused").field();
        assert_eq!(err(filter("maybe", "", "", "")), "outcome");
        assert_eq!(err(filter("", "delete", "", "")), "action");
        assert_eq!(err(filter("", "", "X'; drop", "")), "error_code");
        assert_eq!(err(filter("", "", "", &"a".repeat(300))), "email");
        let ok = filter("failed", "insert", "REQUIRED_FIELD_MISSING", "a");
        assert!(ok.checked().is_ok());
    }
}
