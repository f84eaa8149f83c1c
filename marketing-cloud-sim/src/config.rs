//! The tenant's settings, including every behaviour `marketing-cloud-api.md` marks [unverified]: each is a
//! field here with the choice written beside it, so a test (or a finding from a real sandbox) can flip it.

use std::time::Duration;

/// Every scope an installed package can be given that a data-extension connector might ask for.
pub const DEFAULT_SCOPES: [&str; 4] = [
    "data_extensions_read",
    "data_extensions_write",
    "list_and_subscribers_read",
    "list_and_subscribers_write",
];

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// `expires_in` of a token: every observed value is 1079 s [doc, code].
    pub token_lifetime: Duration,
    /// Items one asynchronous rows request may carry: 32,000 is a hard limit [doc]. Beyond it the request
    /// is refused up front with a `resultMessages` entry [unverified: the exact code and wording].
    pub async_max_items: usize,
    /// Bytes one asynchronous rows request may carry. Not stated for this endpoint; clients keep under
    /// 5.5–5.9 MB [code]. Chosen: 5,900,000, refused with 413 and the REST error envelope [unverified].
    pub async_max_bytes: usize,
    /// Status polls an asynchronous request answers `Pending` before `Complete` (the "slow status" fault).
    /// Rows are written when the request is accepted, as if the tenant were instant; only the status lags.
    pub pending_polls: u32,
    /// Items per page of `/data/v1/async/{id}/results` when `$pageSize` is not given: 50, as the docs'
    /// example shows; whether the real endpoint pages at all is [unverified].
    pub results_page_size: usize,
    /// Rows per page of the rowset GET when `$pagesize` is not given, and its maximum: 2,500 is what
    /// clients use and recordings show [unverified as a maximum].
    pub rowset_max_page_size: usize,
    /// Whether the rowset GET writes column names lower-cased in `keys` and `values`, as some recordings
    /// show [unverified]. Chosen: yes, so clients compare names case-insensitively.
    pub rowset_lowercase_names: bool,
    /// Rows one synchronous `/hub/v1/dataevents/.../rowset` call may carry. The docs advise 50 rows and
    /// cap the payload at 5 MB; a hard row limit is [unverified]. Chosen: 50, refused with 400 beyond.
    pub hub_max_rows: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(1079),
            async_max_items: 32_000,
            async_max_bytes: 5_900_000,
            pending_polls: 0,
            results_page_size: 50,
            rowset_max_page_size: 2_500,
            rowset_lowercase_names: true,
            hub_max_rows: 50,
        }
    }
}

/// A server-to-server API integration of an installed package: its credentials, the business units
/// (MIDs) it may act in, and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPackage {
    pub client_id: String,
    pub client_secret: String,
    /// The business units the package may act in; the first is the one that owns it (the token's
    /// business unit when a request names none).
    pub mids: Vec<u64>,
    pub scopes: Vec<String>,
}

impl InstalledPackage {
    /// A package owned by `mid` with [`DEFAULT_SCOPES`].
    pub fn new(client_id: &str, client_secret: &str, mid: u64) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            mids: vec![mid],
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}
