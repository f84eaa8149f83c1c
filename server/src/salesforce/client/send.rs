//! The send loop every call goes through, and the shapes of what it sends and gets back.

use super::{ApiUsage, SalesforceClient, SalesforceError};
use crate::salesforce::domain::OrgDomain;
use crate::salesforce::retry::{decide, Decision, Idempotency, Outcome};
use crate::salesforce::wire::ApiErrorItem;
use secrecy::ExposeSecret;
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
            serde_json::from_slice(&self.0)
                .map_err(|e| super::SalesforceError::Decode(e.to_string()))
        }
        pub fn bytes(&self) -> &[u8] {
            &self.0
        }
    }
}

/// How one attempt failed.
enum Failed {
    Transport(Outcome<'static>, SalesforceError),
    Refused(SalesforceError),
}

/// Reads Salesforce's error array (`[{"errorCode": …, "message": …}]`); keeps the first item.
fn api_error(status: u16, body: &[u8]) -> SalesforceError {
    match serde_json::from_slice::<Vec<ApiErrorItem>>(body)
        .ok()
        .and_then(|v| v.into_iter().next())
    {
        Some(item) => SalesforceError::Api {
            status,
            code: item.error_code,
            message: item.message,
        },
        None => SalesforceError::Api {
            status,
            code: format!("HTTP_{status}"),
            message: String::from_utf8_lossy(body).chars().take(200).collect(),
        },
    }
}

/// A reqwest failure in words a super user understands; never includes the URL's query or headers.
pub(crate) fn transport_error(domain: &OrgDomain, error: &reqwest::Error) -> SalesforceError {
    if error.is_timeout() {
        return SalesforceError::Timeout;
    }
    let reason = if error.is_connect() {
        "the connection was refused or the name does not resolve".to_owned()
    } else if error.is_request() {
        "the request could not be sent".to_owned()
    } else {
        "the connection failed".to_owned()
    };
    SalesforceError::Unreachable {
        host: domain.name().to_owned(),
        reason,
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

/// Where an answer's body goes: into memory, or streamed into a file (Bulk result files can be larger
/// than we want to hold; they are read back row by row).
#[derive(Debug, Clone, Copy)]
enum Sink<'a> {
    Memory,
    File(&'a std::path::Path),
}

fn spool_error(path: &std::path::Path, error: &std::io::Error) -> SalesforceError {
    SalesforceError::Spool(format!("{}: {error}", path.display()))
}

/// A streaming body for `path`, with its length (sent as `Content-Length`, as Salesforce's upload expects).
async fn file_body(path: &std::path::Path) -> Result<(reqwest::Body, u64), SalesforceError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| spool_error(path, &e))?;
    let length = file
        .metadata()
        .await
        .map_err(|e| spool_error(path, &e))?
        .len();
    let stream = tokio_util::io::ReaderStream::new(file);
    Ok((reqwest::Body::wrap_stream(stream), length))
}

/// Streams `response`'s body into a new file at `path` (replacing what an earlier attempt left).
async fn body_to_file(
    mut response: reqwest::Response,
    path: &std::path::Path,
) -> Result<Result<(), reqwest::Error>, SalesforceError> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| spool_error(path, &e))?;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => file
                .write_all(&chunk)
                .await
                .map_err(|e| spool_error(path, &e))?,
            Ok(None) => break,
            Err(e) => return Ok(Err(e)),
        }
    }
    file.flush().await.map_err(|e| spool_error(path, &e))?;
    Ok(Ok(()))
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
                    serde_json::to_vec(json).map_err(|e| SalesforceError::Decode(e.to_string()))?,
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

    fn remember_usage(&self, headers: &reqwest::header::HeaderMap) {
        let usage = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::from_header);
        if let (Some(usage), Ok(mut slot)) = (usage, self.usage.lock()) {
            *slot = Some(usage);
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
            let mut builder = self
                .http
                .request(
                    method.clone(),
                    format!("{}{path}", token.instance.base_url()),
                )
                .bearer_auth(token.value.expose_secret())
                .header("Accept", request.accept)
                .header(
                    "Sforce-Auto-Assign",
                    if self.settings.auto_assign {
                        "TRUE"
                    } else {
                        "FALSE"
                    },
                );
            match &request.body {
                None => {}
                Some((content_type, Payload::Bytes(bytes))) => {
                    builder = builder
                        .header("Content-Type", *content_type)
                        .body(bytes.clone());
                }
                Some((content_type, Payload::File(file))) => {
                    let (body, length) = file_body(file).await?;
                    builder = builder
                        .header("Content-Type", *content_type)
                        .header("Content-Length", length)
                        .body(body);
                }
            }
            let failed = match builder.send().await {
                Err(e) => {
                    let outcome = if e.is_connect() {
                        Outcome::NotSent
                    } else {
                        Outcome::NoAnswer
                    };
                    Failed::Transport(outcome, transport_error(&token.instance, &e))
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    self.remember_usage(response.headers());
                    let headers = response.headers().clone();
                    let to_file = match sink {
                        Sink::File(dest) if (200..300).contains(&status) => Some(dest),
                        _ => None,
                    };
                    if let Some(dest) = to_file {
                        match body_to_file(response, dest).await? {
                            Ok(()) => {
                                return Ok(RawAnswer {
                                    status,
                                    headers,
                                    body: bytes::Bytes::new(),
                                })
                            }
                            Err(e) => Failed::Transport(
                                Outcome::NoAnswer,
                                transport_error(&token.instance, &e),
                            ),
                        }
                    } else {
                        match response.bytes().await {
                            Err(e) => Failed::Transport(
                                Outcome::NoAnswer,
                                transport_error(&token.instance, &e),
                            ),
                            Ok(body) if (200..300).contains(&status) => {
                                return Ok(RawAnswer {
                                    status,
                                    headers,
                                    body,
                                })
                            }
                            Ok(body) => Failed::Refused(api_error(status, &body)),
                        }
                    }
                }
            };
            let outcome = match &failed {
                Failed::Transport(outcome, _) => *outcome,
                Failed::Refused(SalesforceError::Api { status, code, .. }) => Outcome::Answered {
                    status: *status,
                    error_code: Some(code.as_str()),
                },
                Failed::Refused(_) => Outcome::Answered {
                    status: 0,
                    error_code: None,
                },
            };
            match decide(outcome, attempt, refreshed, idempotency, rand::random()) {
                Decision::Ambiguous => return Err(SalesforceError::Ambiguous),
                Decision::Stop => {
                    return Err(match failed {
                        Failed::Refused(SalesforceError::Api { status: 401, .. }) if refreshed => {
                            SalesforceError::SessionRejectedTwice
                        }
                        Failed::Refused(error) | Failed::Transport(_, error) => error,
                    })
                }
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
