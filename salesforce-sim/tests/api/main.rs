//! Integration tests: the simulator on port 0, driven over HTTP with reqwest,
//! answers compared with the recorded Salesforce fixtures in `tests/fixtures/`.
//! One binary for all modules (zero2prod's layout).

mod bulk;
mod collections;
mod control;
mod describe;
mod faults;
mod helpers;
mod limits;
mod oauth;
mod query;
mod records;
mod tls;
