//! The push engine: runs that push a sync's contacts into the CRM.
//!
//! Two layers. The planning parts are pure: no I/O, no database, no HTTP, so every rule is tested without an
//! org. Reading order: [`komo_value`] (a contact's field values, read by catalog key) → [`coerce`] (one value
//! into one Salesforce field, checked as Salesforce would) → [`mapping`] (a contact → [`MappedContact`] or
//! [`Invalid`]) → [`hash`] (unchanged since the last push?) → [`index`] (the lookup's records by match key) →
//! [`overwrite`] (the per-mapping rules on update) → [`plan`] (the decision) → [`decision`] (what it says, as
//! the run log names it).
//!
//! A run, as the I/O layer drives it:
//! 1. [`Planner::new`] with the sync, the field catalog and the live describe (a [`PlanError`] stops the run).
//! 2. Per contact, [`Planner::prepare`] with the hash stored at its last successful push.
//! 3. For [`Prepared::Lookup`] contacts, query [`Planner::lookup_fields`] where the match field is in their
//!    [`Pending::match_value`]s, turn rows into [`CrmRecord::from_query`] and build a [`CrmIndex`].
//! 4. [`Planner::decide`] each pending contact with `index.matches(pending.key())`.
//! 5. Send the writes; store [`Planned::hash`] for each contact whose writes all succeeded.
//!
//! The I/O layer does exactly that: [`worker`] (claim a run with a lease kept by a heartbeat, the
//! background loop, the test-friendly `run_once`; [`instance`] is who holds the leases across restarts) → [`run`] (one run: counts, API budget, batches streamed from the database) →
//! [`lookup`] (chunked SOQL `IN` by match key) → [`writer`] (sObject Collections, results joined back, lock
//! retries, lost answers looked up before any resend) → [`outcome`] (a contact's log row, state and
//! counters). Runs above `KOMO_PUSH_BULK_THRESHOLD` contacts go through [`bulk`] instead: the CRM index
//! from one Bulk query job into a run-scoped table, writes staged and sent as Bulk ingest jobs, results
//! joined back to their contacts. Every run keeps a [`clock`] of where its time went, logged when it ends.

pub mod bulk;
pub mod clock;
pub mod coerce;
pub mod decision;
pub mod failure;
pub mod hash;
pub mod index;
pub mod instance;
pub mod komo_value;
pub mod lookup;
pub mod mapping;
pub mod outcome;
pub mod overwrite;
pub mod plan;
pub mod run;
pub mod worker;
pub mod writer;

pub use decision::{Decision, Planned, RecordWrite, RunAction, Skip, Unchanged, Values};
pub use hash::PushHash;
pub use index::{CrmIndex, CrmRecord, MatchKey};
pub use mapping::{Invalid, MappedContact, MappedValue, Mapper, MappingError};
pub use plan::{Pending, PlanError, Planner, Prepared, Strategy};
pub use worker::{Engine, Step};

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
