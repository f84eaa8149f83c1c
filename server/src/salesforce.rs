//! The Salesforce client: everything that speaks to an org. Used by Test Connection now and by the push
//! engine later. Reading order: [`domain`] (where we may connect) → [`auth`] (tokens) → [`retry`] (the pure
//! retry decision) → [`client`] (the send loop that obeys it) → [`wire`] (JSON shapes) → [`error`].

pub mod auth;
pub mod bulk;
pub mod client;
pub mod collections;
pub mod describe;
pub mod domain;
pub mod error;
pub mod query;
pub mod resolve;
pub mod retry;
pub mod wire;

pub use client::{ClientSettings, ConnectionCheck, SalesforceClient};
pub use domain::{DomainError, OrgDomain};
pub use error::SalesforceError;

/// The REST API version we pin (doc §2.1: pin one; v62.0 is Winter '25).
pub const API_VERSION: &str = "v62.0";
