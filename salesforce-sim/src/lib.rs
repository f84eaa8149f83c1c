#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

// Reading order: the handle, then the org model, then the wire.
/// Bulk API 2.0 jobs.
pub mod bulk;
/// Settings, including every item the Salesforce doc marks unverified.
pub mod config;
/// Error bodies in Salesforce's shapes.
pub mod error;
/// HTTP routes and middleware.
mod http;
/// Salesforce ids with the right key prefixes.
pub mod ids;
/// The org: objects, apps, tokens, allowance, faults, cursors.
pub mod org;
/// Describe-driven field metadata (recorded describes compiled in).
pub mod schema;
/// Deterministic fake contacts.
pub mod seed;
/// Accept loop (plain and TLS).
mod serve;
/// The handle tests hold: start, configure, inspect.
mod sim;
/// SOQL tokenizer, parser and evaluator.
pub mod soql;
/// Shared handler state and the request log.
pub mod state;
/// Compact row storage and indexes.
pub mod store;
/// Field value checks for writes.
pub mod validate;

pub use config::{ConnectedApp, SimConfig, TokenFault};
pub use org::{FaultPatch, Faults};
pub use schema::{CustomField, CustomFieldType};
pub use sim::{Listen, Simulator};
pub use state::LoggedRequest;
