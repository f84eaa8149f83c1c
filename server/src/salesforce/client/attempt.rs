//! One attempt of the send loop ([`super::send`]): build the request, send it once, read the answer into
//! memory or a file, and say how it failed for [`decide`](crate::salesforce::retry::decide) to judge.

use super::send::{Payload, RawAnswer, RawRequest};
use super::{ApiUsage, SalesforceClient, SalesforceError};
use crate::salesforce::auth::AccessToken;
use crate::salesforce::domain::OrgDomain;
use crate::salesforce::retry::Outcome;
use crate::salesforce::wire::ApiErrorItem;
use secrecy::ExposeSecret;

/// How one attempt failed.
pub(super) enum Failed {
    Transport(Outcome<'static>, SalesforceError),
    Refused(SalesforceError),
}

impl Failed {
    /// What [`decide`](crate::salesforce::retry::decide) is told about the attempt.
    pub(super) fn outcome(&self) -> Outcome<'_> {
        match self {
            Failed::Transport(outcome, _) => *outcome,
            Failed::Refused(SalesforceError::Api { status, code, .. }) => Outcome::Answered {
                status: *status,
                error_code: Some(code.as_str()),
            },
            Failed::Refused(_) => Outcome::Answered {
                status: 0,
                error_code: None,
            },
        }
    }

    /// The error the caller gets when the loop stops; a 401 after a refresh names the refresh.
    pub(super) fn into_error(self, refreshed: bool) -> SalesforceError {
        match self {
            Failed::Refused(SalesforceError::Api { status: 401, .. }) if refreshed => {
                SalesforceError::SessionRejectedTwice
            }
            Failed::Refused(error) | Failed::Transport(_, error) => error,
        }
    }
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

/// A reqwest failure as [`SalesforceError::Timeout`] or [`SalesforceError::Unreachable`] (whose words
/// never include the URL's query or headers).
pub(crate) fn transport_error(domain: &OrgDomain, error: reqwest::Error) -> SalesforceError {
    if error.is_timeout() {
        return SalesforceError::Timeout;
    }
    SalesforceError::unreachable(domain.name(), error)
}

/// A transport failure of one attempt: nothing was sent if the connection never opened.
fn send_failed(domain: &OrgDomain, error: reqwest::Error) -> Failed {
    let outcome = if error.is_connect() {
        Outcome::NotSent
    } else {
        Outcome::NoAnswer
    };
    Failed::Transport(outcome, transport_error(domain, error))
}

/// A body that broke off after the status came: the request arrived, its answer is lost.
fn answer_lost(domain: &OrgDomain, error: reqwest::Error) -> Failed {
    Failed::Transport(Outcome::NoAnswer, transport_error(domain, error))
}

/// Where an answer's body goes: into memory, or streamed into a file (Bulk result files can be larger
/// than we want to hold; they are read back row by row).
#[derive(Debug, Clone, Copy)]
pub(super) enum Sink<'a> {
    Memory,
    File(&'a std::path::Path),
}

/// A streaming body for `path`, with its length (sent as `Content-Length`, as Salesforce's upload expects).
async fn file_body(path: &std::path::Path) -> Result<(reqwest::Body, u64), SalesforceError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| SalesforceError::spool(path, e))?;
    let length = file
        .metadata()
        .await
        .map_err(|e| SalesforceError::spool(path, e))?
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
        .map_err(|e| SalesforceError::spool(path, e))?;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => file
                .write_all(&chunk)
                .await
                .map_err(|e| SalesforceError::spool(path, e))?,
            Ok(None) => break,
            Err(e) => return Ok(Err(e)),
        }
    }
    file.flush()
        .await
        .map_err(|e| SalesforceError::spool(path, e))?;
    Ok(Ok(()))
}

impl SalesforceClient {
    /// Sends the request once and reads its answer into `sink`. The outer `Err` is a local file failing,
    /// which no retry mends; the inner one is how the attempt failed.
    pub(super) async fn attempt(
        &self,
        method: &reqwest::Method,
        path: &str,
        request: &RawRequest,
        token: &AccessToken,
        sink: Sink<'_>,
    ) -> Result<Result<RawAnswer, Failed>, SalesforceError> {
        let builder = self.request(method, path, request, token).await?;
        match builder.send().await {
            Err(e) => Ok(Err(send_failed(&token.instance, e))),
            Ok(response) => self.answer(response, &token.instance, sink).await,
        }
    }

    /// The request with its token, headers and body (a file is opened again for every attempt).
    async fn request(
        &self,
        method: &reqwest::Method,
        path: &str,
        request: &RawRequest,
        token: &AccessToken,
    ) -> Result<reqwest::RequestBuilder, SalesforceError> {
        let auto_assign = if self.settings.auto_assign {
            "TRUE"
        } else {
            "FALSE"
        };
        let builder = self
            .http
            .request(
                method.clone(),
                format!("{}{path}", token.instance.base_url()),
            )
            .bearer_auth(token.value.expose_secret())
            .header("Accept", request.accept)
            .header("Sforce-Auto-Assign", auto_assign);
        Ok(match &request.body {
            None => builder,
            Some((content_type, Payload::Bytes(bytes))) => builder
                .header("Content-Type", *content_type)
                .body(bytes.clone()),
            Some((content_type, Payload::File(file))) => {
                let (body, length) = file_body(file).await?;
                builder
                    .header("Content-Type", *content_type)
                    .header("Content-Length", length)
                    .body(body)
            }
        })
    }

    /// Reads an answer: a success's body into `sink` (headers kept), a refusal's into its error.
    async fn answer(
        &self,
        response: reqwest::Response,
        instance: &OrgDomain,
        sink: Sink<'_>,
    ) -> Result<Result<RawAnswer, Failed>, SalesforceError> {
        let status = response.status().as_u16();
        self.remember_usage(response.headers());
        let headers = response.headers().clone();
        let success = (200..300).contains(&status);
        if let (Sink::File(dest), true) = (sink, success) {
            return Ok(match body_to_file(response, dest).await? {
                Ok(()) => Ok(RawAnswer {
                    status,
                    headers,
                    body: bytes::Bytes::new(),
                }),
                Err(e) => Err(answer_lost(instance, e)),
            });
        }
        Ok(match response.bytes().await {
            Err(e) => Err(answer_lost(instance, e)),
            Ok(body) if success => Ok(RawAnswer {
                status,
                headers,
                body,
            }),
            Ok(body) => Err(Failed::Refused(api_error(status, &body))),
        })
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
}
