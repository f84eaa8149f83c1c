//! Integration tests: each starts the real server on an ephemeral port with a fresh database — a temp-file
//! SQLite by default, a fresh PostgreSQL database when `TEST_DATABASE_URL` is set. The test command runs
//! this suite once for each. All tests build as one binary.

mod auth;
mod bootstrap;
mod connections;
mod contact_syncs;
mod contacts;
mod contacts_api;
mod contacts_storage;
mod demo_org;
mod engine;
mod engine_bulk;
mod engine_queue;
mod engine_resume;
mod filters;
mod helpers;
mod imports;
mod pages;
mod people;
mod roles;
mod run_review;
mod sessions;
mod storage;
mod syncs;
mod tenants;
