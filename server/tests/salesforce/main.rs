//! The Salesforce client against the simulator (`salesforce-sim`): tokens and their errors, retries and
//! faults, describe, SOQL paging, sObject Collections and Bulk API 2.0. Each test starts its own simulator
//! on a free port; nothing waits on a clock (the simulator's `wait_for_job` and zero backoff instead).

mod auth;
mod bulk;
mod collections;
mod describe;
mod faults;
mod helpers;
mod query;
