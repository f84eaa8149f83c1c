#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

// Reading order: the handle, then the tenant model, then the wire.
/// Settings, with every behaviour the Marketing Cloud doc marks unverified.
pub mod config;
/// A data extension's rows and what one row write does.
pub mod dataext;
/// Date values in and out.
pub mod dates;
/// Error bodies in the tenant's shapes.
pub mod error;
/// Fault switches.
pub mod faults;
/// Field types and value checks.
pub mod fields;
/// HTTP routes.
mod http;
/// GUIDs and tokens.
pub mod ids;
/// The ready `Contacts` data extension of fake rows.
pub mod seed;
/// The handle tests hold: start, configure, inspect.
mod sim;
/// Shared handler state and the request log.
pub mod state;
/// Business units, packages, tokens, asynchronous requests, the clock.
pub mod tenant;

pub use config::{InstalledPackage, SimConfig};
pub use faults::Faults;
pub use fields::{FieldSpec, FieldType};
pub use sim::Simulator;
pub use state::LoggedRequest;
