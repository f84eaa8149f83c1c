use super::domain::DomainError;

/// Everything that can go wrong talking to an org. `Display` is written for the super user who has to fix
/// it; [`SalesforceError::is_retryable`] says whether trying again later may help.
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
    #[error("could not reach {host}: {reason}")]
    Unreachable { host: String, reason: String },
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
    #[error("Salesforce answered in a form we did not expect: {0}")]
    Decode(String),
    /// A local file for a Bulk upload or a result download could not be read or written (disk full, …).
    #[error("a local Bulk API file could not be read or written: {0}")]
    Spool(String),
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
