use super::domain::DomainError;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything that can go wrong talking to an org. `Display` is written for the super user who has to fix
/// it; [`SalesforceError::is_retryable`] says whether trying again later may help.
///
/// Causes stay typed behind `source()`. They sit in an `Arc` because the error is `Clone` (a run keeps the
/// one that stopped it) and the causes are not. `Decode` and `Spool` also print their cause's words, since
/// `Display` is all a super user sees; `Unreachable` puts the cause in plain words instead.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SalesforceError {
    #[error("{0}")]
    Domain(#[from] DomainError),
    /// The token endpoint refused the credentials (doc §1.4); the message names the cause in plain words.
    #[error("{}", token_error_message(.error, .description))]
    Token { error: String, description: String },
    #[error(
        "Salesforce answered with an instance URL we do not trust ({0}); nothing was sent to it"
    )]
    UntrustedInstance(String),
    /// The request got no answer. `source` carries no URL: a query's URL holds match values.
    #[error("could not reach {host}: {}", unreachable_reason(.source))]
    Unreachable {
        host: String,
        source: Arc<reqwest::Error>,
    },
    #[error("Salesforce did not answer in time")]
    Timeout,
    #[error("Salesforce refused the session twice in a row (INVALID_SESSION_ID even after signing in again)")]
    SessionRejectedTwice,
    /// A write's answer was lost: it may or may not have been applied. The caller must look the records
    /// up before sending anything again.
    #[error("the answer from Salesforce was lost; the change may or may not have been applied")]
    Ambiguous,
    #[error("Salesforce redirected the request to {0}; enter the org's My Domain so no redirect is needed")]
    Redirected(String),
    #[error("Salesforce error {code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// `what` could not be read (or, for a request body, written); `source` is why, when a parser said so.
    #[error("Salesforce answered in a form we did not expect: {}", decode_detail(.what, .source.as_ref()))]
    Decode {
        what: Cow<'static, str>,
        source: Option<DecodeCause>,
    },
    /// A local file for a Bulk upload or a result download could not be read or written (disk full, …).
    #[error("a local Bulk API file could not be read or written: {}: {source}", .path.display())]
    Spool {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
}

/// What a parser (or the HTTP client's set-up) said under a [`SalesforceError::Decode`].
#[derive(Debug, Clone, thiserror::Error)]
pub enum DecodeCause {
    #[error(transparent)]
    Json(Arc<serde_json::Error>),
    #[error(transparent)]
    Csv(Arc<csv::Error>),
    #[error(transparent)]
    Http(Arc<reqwest::Error>),
}

impl SalesforceError {
    /// True for faults that may clear up by themselves (network, timeouts, Salesforce's `unknown_error`).
    pub fn is_retryable(&self) -> bool {
        match self {
            SalesforceError::Unreachable { .. } | SalesforceError::Timeout => true,
            SalesforceError::Token { error, .. } => error == "unknown_error",
            SalesforceError::Api { status, code, .. } => {
                *status >= 500 || code == "UNABLE_TO_LOCK_ROW" || code == "SERVER_UNAVAILABLE"
            }
            _ => false,
        }
    }

    /// An answer that parsed but says something we cannot use (`what` says what).
    pub(crate) fn unexpected(what: impl Into<Cow<'static, str>>) -> Self {
        SalesforceError::Decode {
            what: what.into(),
            source: None,
        }
    }

    /// JSON that would not parse into (or serialise from) our types; `what` may be empty.
    pub(crate) fn json(what: &'static str, error: serde_json::Error) -> Self {
        Self::decode_by(what, DecodeCause::Json(Arc::new(error)))
    }

    /// CSV that would not parse (or be written).
    pub(crate) fn csv(what: &'static str, error: csv::Error) -> Self {
        Self::decode_by(what, DecodeCause::Csv(Arc::new(error)))
    }

    /// The HTTP client could not be set up (`what`: the part that failed).
    pub(crate) fn http_setup(what: &'static str, error: reqwest::Error) -> Self {
        Self::decode_by(what, DecodeCause::Http(Arc::new(error)))
    }

    fn decode_by(what: &'static str, cause: DecodeCause) -> Self {
        SalesforceError::Decode {
            what: Cow::Borrowed(what),
            source: Some(cause),
        }
    }

    /// A local Bulk file at `path` failed.
    pub(crate) fn spool(path: &std::path::Path, error: std::io::Error) -> Self {
        SalesforceError::Spool {
            path: path.to_owned(),
            source: Arc::new(error),
        }
    }

    /// A request that got no answer from `host`. The URL is dropped from `error` first.
    pub(crate) fn unreachable(host: &str, error: reqwest::Error) -> Self {
        SalesforceError::Unreachable {
            host: host.to_owned(),
            source: Arc::new(error.without_url()),
        }
    }
}

/// A `Decode` error's words after "a form we did not expect": `what`, then the parser's reason.
pub fn decode_detail(what: &str, cause: Option<&DecodeCause>) -> String {
    match cause {
        None => what.to_owned(),
        Some(cause) if what.is_empty() => cause.to_string(),
        Some(cause) => format!("{what}: {cause}"),
    }
}

/// Why a request got no answer, in words a super user understands; never the URL or headers.
fn unreachable_reason(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "the connection was refused or the name does not resolve"
    } else if error.is_request() {
        "the request could not be sent"
    } else {
        "the connection failed"
    }
}

/// The real cause of each token error in plain words (doc §1.4). Everything but `unknown_error` is a
/// configuration problem the customer must fix in Salesforce or in the form.
pub fn token_error_message(error: &str, description: &str) -> String {
    let description_lower = description.to_ascii_lowercase();
    let has = |needle: &str| description_lower.contains(needle);
    let sentence = match error {
        "invalid_client_id" => {
            "Salesforce does not recognise this Client ID (consumer key) in this org. Copy the consumer key of the \
             connected app again, and check the domain is the org the app lives in."
        }
        "invalid_client" if has("flow not enabled") => {
            "The Client Credentials Flow is not enabled on this connected app. In Salesforce, edit the app's OAuth \
             settings and tick \"Enable Client Credentials Flow\"."
        }
        "invalid_client" => "The Client Secret does not match this Client ID. Copy the consumer secret again.",
        "invalid_grant" if has("no client credentials user") => {
            "The connected app has no Run As user. In Salesforce, open the app's policies and choose a Run As user \
             under Client Credentials Flow."
        }
        "invalid_grant" if has("flow not enabled") => {
            "The Client Credentials Flow is not enabled on this connected app. In Salesforce, edit the app's OAuth \
             settings and tick \"Enable Client Credentials Flow\"."
        }
        "invalid_grant" if has("not supported on this domain") => {
            "This is not your org's My Domain. Use the domain from Setup → My Domain (for example \
             acme.my.salesforce.com), not login.salesforce.com or test.salesforce.com."
        }
        "invalid_grant" if has("inactive user") => {
            "The connected app's Run As user is inactive. Activate the user or choose another Run As user."
        }
        "invalid_grant" if has("approved") => {
            "The Run As user has not approved this connected app. Set the app's Permitted Users policy to \"Admin \
             approved users are pre-authorized\" and give the user access."
        }
        "invalid_app_access" => {
            "The Run As user is not allowed to use this connected app. Add their profile or a permission set to \
             the app's policies."
        }
        "unsupported_grant_type" => {
            "Salesforce refused the client credentials grant for this app. Check that the connected app supports \
             the Client Credentials Flow."
        }
        "unknown_error" => "Salesforce had a temporary problem issuing a token. Try again in a minute.",
        _ => "",
    };
    if sentence.is_empty() {
        format!("Salesforce refused the credentials: {error} ({description})")
    } else {
        format!("{sentence} (Salesforce said: {error}: {description})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_decode_error_reads_as_before_and_keeps_the_parser_error() {
        let parse = serde_json::from_str::<u32>("x").expect_err("not a number");
        let words = parse.to_string();
        let error = SalesforceError::json("token response", parse);
        assert_eq!(
            error.to_string(),
            format!("Salesforce answered in a form we did not expect: token response: {words}")
        );
        let cause = error.source().and_then(|s| s.downcast_ref::<DecodeCause>());
        assert!(matches!(cause, Some(DecodeCause::Json(_))), "{cause:?}");

        let bare = serde_json::from_str::<u32>("x").expect_err("not a number");
        assert_eq!(
            SalesforceError::json("", bare).to_string(),
            format!("Salesforce answered in a form we did not expect: {words}")
        );
        let unexpected = SalesforceError::unexpected("Sforce-Locator did not advance");
        assert_eq!(
            unexpected.to_string(),
            "Salesforce answered in a form we did not expect: Sforce-Locator did not advance"
        );
        assert!(unexpected.source().is_none());
    }

    #[test]
    fn a_spool_error_names_the_file_and_keeps_the_io_error() {
        let error = SalesforceError::spool(
            std::path::Path::new("/tmp/job.csv"),
            std::io::Error::other("disk full"),
        );
        assert_eq!(
            error.to_string(),
            "a local Bulk API file could not be read or written: /tmp/job.csv: disk full"
        );
        let cause = error
            .source()
            .and_then(|s| s.downcast_ref::<Arc<std::io::Error>>());
        assert_eq!(cause.map(|e| e.kind()), Some(std::io::ErrorKind::Other));
    }
}
