//! How a failed call to Salesforce counts for a run: what stops it (paused at the request limit, failed
//! for sign-in or network trouble) and what only fails the records the call carried.

use crate::salesforce::bulk::JobState;
use crate::salesforce::collections::BatchError;
use crate::salesforce::error::decode_detail;
use crate::salesforce::SalesforceError;
use std::path::PathBuf;
use std::sync::Arc;

/// Our code for an insert whose answer was lost every time and whose record was not found afterwards.
pub const ANSWER_LOST: &str = "ANSWER_LOST";

/// Why a run stops early. What was answered before is recorded either way. `Display` is the message
/// stored on the run and shown to people.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Halt {
    /// The org's API requests ran out.
    #[error("{0}")]
    Paused(String),
    #[error(transparent)]
    Failed(#[from] Fatal),
}

/// Why a run failed, with the error it came from where there is one.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Fatal {
    /// Sign-in, network or local file trouble that outlasted the retries; the message is Salesforce's error.
    #[error(transparent)]
    Salesforce(SalesforceError),
    /// Salesforce refused a call whose records cannot fail alone (counting, the describe, Bulk jobs).
    #[error("Salesforce error {code}: {message}")]
    Refused {
        code: String,
        message: String,
        source: SalesforceError,
    },
    /// A local file of a Bulk job (its CSV, its results) could not be used.
    #[error("A local file for the Bulk job could not be used ({}): {source}", .path.display())]
    BulkFile {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    /// A line of a Bulk job's CSV could not be written.
    #[error("writing the Bulk CSV failed: {0}")]
    BulkCsv(#[source] Arc<csv::Error>),
    /// The Bulk query job that loads the CRM index failed or was aborted in Salesforce.
    #[error("The Bulk query for the CRM index ended {state:?}: {message}")]
    IndexQuery { state: JobState, message: String },
    #[error("A Salesforce Bulk job did not finish in two days; its rows are not recorded.")]
    JobTimedOut,
    #[error("Uploads to Salesforce kept losing their answer; nothing of them was applied.")]
    UploadsLost,
    #[error("could not build a Collections call: {0}")]
    Collections(#[source] BatchError),
}

/// How a failed call counts.
pub enum Failure {
    Halt(Halt),
    /// Only the call's records failed.
    Records {
        code: String,
        message: String,
    },
}

/// Sorts a call's failure: what stops the run, and what only fails the records it carried.
pub fn classify(error: &SalesforceError) -> Failure {
    match error {
        SalesforceError::Api { code, message, .. } if code == "REQUEST_LIMIT_EXCEEDED" => {
            Failure::Halt(Halt::Paused(format!(
                "Paused: Salesforce's API request limit was reached ({message}). Everything done so far is \
                 recorded; run the sync again once the org has requests left."
            )))
        }
        SalesforceError::Api {
            status: 401 | 403,
            ..
        }
        | SalesforceError::Token { .. }
        | SalesforceError::SessionRejectedTwice
        | SalesforceError::Unreachable { .. }
        | SalesforceError::Timeout
        | SalesforceError::Domain(_)
        | SalesforceError::UntrustedInstance(_)
        | SalesforceError::Redirected(_)
        | SalesforceError::Spool { .. } => {
            Failure::Halt(Fatal::Salesforce(error.clone()).into())
        }
        SalesforceError::Api { code, message, .. } => Failure::Records {
            code: code.clone(),
            message: message.clone(),
        },
        SalesforceError::Ambiguous => Failure::Records {
            code: ANSWER_LOST.into(),
            message: error.to_string(),
        },
        SalesforceError::Decode { what, source } => Failure::Records {
            code: "UNEXPECTED_ANSWER".into(),
            message: decode_detail(what, source.as_ref()),
        },
    }
}

/// A failed call as the reason a run stops, for calls whose records cannot fail alone (counting, the
/// describe, Bulk jobs).
pub(crate) fn halt_of(error: &SalesforceError) -> Halt {
    match classify(error) {
        Failure::Halt(halt) => halt,
        Failure::Records { code, message } => Fatal::Refused {
            code,
            message,
            source: error.clone(),
        }
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_call_that_stops_the_run_is_kept_as_the_cause_and_read_as_its_message() {
        let error = SalesforceError::SessionRejectedTwice;
        let Failure::Halt(halt) = classify(&error) else {
            panic!("a refused session stops the run");
        };
        assert!(matches!(
            &halt,
            Halt::Failed(Fatal::Salesforce(SalesforceError::SessionRejectedTwice))
        ));
        assert_eq!(halt.to_string(), error.to_string());
    }

    #[test]
    fn a_refused_call_that_cannot_fail_records_alone_fails_the_run_with_salesforces_words() {
        let error = SalesforceError::Api {
            status: 400,
            code: "INVALID_FIELD".into(),
            message: "No such column".into(),
        };
        let halt = halt_of(&error);
        assert_eq!(
            halt.to_string(),
            "Salesforce error INVALID_FIELD: No such column"
        );
        let source = halt
            .source()
            .and_then(|s| s.downcast_ref::<SalesforceError>());
        assert!(matches!(
            source,
            Some(SalesforceError::Api { status: 400, .. })
        ));
    }

    #[test]
    fn the_request_limit_pauses_the_run() {
        let error = SalesforceError::Api {
            status: 403,
            code: "REQUEST_LIMIT_EXCEEDED".into(),
            message: "TotalRequests Limit exceeded.".into(),
        };
        assert!(matches!(halt_of(&error), Halt::Paused(_)));
    }
}
