//! Syncs: what a super user configures to push contacts into a CRM. Validation lives here so the browser
//! shows problems at once and the server enforces the same rules.

pub mod changes;
pub mod config;
pub mod crm;
pub mod filter;
pub mod hints;
pub mod log;
pub mod run;
pub mod status;
