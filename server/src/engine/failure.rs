//! How a failed call to Salesforce counts for a run: what stops it (paused at the request limit, failed
//! for sign-in or network trouble) and what only fails the records the call carried.

use crate::salesforce::SalesforceError;

/// Our code for an insert whose answer was lost every time and whose record was not found afterwards.
pub const ANSWER_LOST: &str = "ANSWER_LOST";

/// Why a run stops early. What was answered before is recorded either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// The org's API requests ran out.
    Paused(String),
    Failed(String),
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
        | SalesforceError::Spool(_) => Failure::Halt(Halt::Failed(error.to_string())),
        SalesforceError::Api { code, message, .. } => Failure::Records {
            code: code.clone(),
            message: message.clone(),
        },
        SalesforceError::Ambiguous => Failure::Records {
            code: ANSWER_LOST.into(),
            message: error.to_string(),
        },
        SalesforceError::Decode(message) => Failure::Records {
            code: "UNEXPECTED_ANSWER".into(),
            message: message.clone(),
        },
    }
}

/// A failed call as the reason a run stops, for calls whose records cannot fail alone (counting, the
/// describe, Bulk jobs).
pub(crate) fn halt_of(error: &SalesforceError) -> Halt {
    match classify(error) {
        Failure::Halt(halt) => halt,
        Failure::Records { code, message } => {
            Halt::Failed(format!("Salesforce error {code}: {message}"))
        }
    }
}
