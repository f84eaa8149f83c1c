//! The send loop every call goes through, and the shapes of what it sends and gets back. One attempt of
//! the loop is [`super::attempt`].

use super::attempt::Sink;
use super::{SalesforceClient, SalesforceError};
use crate::salesforce::retry::{decide, Decision, Idempotency};
use std::time::Duration;

/// A successful answer.
pub struct Answer {
    pub status: u16,
    pub body: bytes_body::Body,
}

pub mod bytes_body {
    /// The raw body of an answer; decode with [`Body::json`].
    pub struct Body(pub(crate) Vec<u8>);
    impl Body {
        /// # Errors
        /// When the body is not the expected JSON.
        pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, super::SalesforceError> {
            serde_json::from_slice(&self.0).map_err(|e| super::SalesforceError::json("", e))
        }
        pub fn bytes(&self) -> &[u8] {
            &self.0
        }
    }
}

/// A request body other than JSON (Bulk API 2.0 uploads are CSV), and what to ask for back.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// `(content type, body)`.
    pub body: Option<(&'static str, Payload)>,
    /// The `Accept` header, e.g. `text/csv` for Bulk results.
    pub accept: &'static str,
}

/// What a request carries: bytes in memory, or a file streamed from disk (a Bulk upload of up to 100 MB
/// is spooled to a file first, so it never sits in memory). A file is opened again for every attempt.
#[derive(Debug, Clone)]
pub enum Payload {
    Bytes(bytes::Bytes),
    File(std::path::PathBuf),
}

impl From<bytes::Bytes> for Payload {
    fn from(bytes: bytes::Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

/// A successful answer with its headers kept (Bulk query pages carry `Sforce-Locator`).
pub struct RawAnswer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

impl RawAnswer {
    /// A header's value as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl SalesforceClient {
    /// Sends one request with the current token, refreshing it once on `INVALID_SESSION_ID` and backing off
    /// on "not now" answers, as [`decide`] says.
    ///
    /// # Errors
    /// `Api` for a refusal (with Salesforce's code and message), `SessionRejectedTwice`, `Ambiguous` when an
    /// unsafe write's answer was lost, or the transport error after the last attempt.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<Answer, SalesforceError> {
        let body = match body {
            Some(json) => Some((
                "application/json",
                Payload::Bytes(bytes::Bytes::from(
                    serde_json::to_vec(json).map_err(|e| SalesforceError::json("", e))?,
                )),
            )),
            None => None,
        };
        let request = RawRequest {
            body,
            accept: "application/json",
        };
        let answer = self.send_raw(method, path, request, idempotency).await?;
        Ok(Answer {
            status: answer.status,
            body: bytes_body::Body(answer.body.to_vec()),
        })
    }

    async fn wait(&self, delay: Duration) {
        let scaled = delay.mul_f64(self.settings.backoff_scale.max(0.0));
        if !scaled.is_zero() {
            tokio::time::sleep(scaled).await;
        }
    }

    /// The send loop every call goes through ([`Self::send`] is this with a JSON body): the current token,
    /// one refresh on `INVALID_SESSION_ID`, backoff on "not now" answers, and an unsafe write whose answer
    /// was lost is never resent — all as [`decide`] says. Any body type; headers kept (Bulk API 2.0).
    ///
    /// # Errors
    /// As [`Self::send`].
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        request: RawRequest,
        idempotency: Idempotency,
    ) -> Result<RawAnswer, SalesforceError> {
        self.send_into(method, path, request, idempotency, Sink::Memory)
            .await
    }

    /// A GET whose body is streamed into a new file at `dest` instead of memory (Bulk result files), with
    /// the same retries as [`Self::send_raw`]; the answer's `body` is empty. A retry rewrites the file.
    ///
    /// # Errors
    /// As [`Self::send`]; `Spool` when the file cannot be written.
    pub async fn download(
        &self,
        path: &str,
        accept: &'static str,
        dest: &std::path::Path,
    ) -> Result<RawAnswer, SalesforceError> {
        let request = RawRequest { body: None, accept };
        self.send_into(
            reqwest::Method::GET,
            path,
            request,
            Idempotency::Safe,
            Sink::File(dest),
        )
        .await
    }

    /// The send loop behind [`Self::send_raw`] and [`Self::download`]: one attempt after another, each
    /// followed by what [`decide`] says.
    async fn send_into(
        &self,
        method: reqwest::Method,
        path: &str,
        request: RawRequest,
        idempotency: Idempotency,
        sink: Sink<'_>,
    ) -> Result<RawAnswer, SalesforceError> {
        let mut token = self.current_token().await?;
        let mut refreshed = false;
        let mut attempt = 1;
        loop {
            let failed = match self.attempt(&method, path, &request, &token, sink).await? {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            match decide(
                failed.outcome(),
                attempt,
                refreshed,
                idempotency,
                rand::random(),
            ) {
                Decision::Ambiguous => return Err(SalesforceError::Ambiguous),
                Decision::Stop => return Err(failed.into_error(refreshed)),
                Decision::RefreshThenRetry => {
                    token = self.refresh_token(&token).await?;
                    refreshed = true;
                }
                Decision::RetryAfter(delay) => {
                    tracing::info!(attempt, ?delay, "Salesforce said not now; retrying");
                    self.wait(delay).await;
                }
            }
            attempt += 1;
        }
    }

    /// Waits `delay` scaled by [`ClientSettings::backoff_scale`]: how Bulk polling paces itself, so tests
    /// (scale 0) never wait.
    pub async fn pause(&self, delay: Duration) {
        self.wait(delay).await;
    }
}
