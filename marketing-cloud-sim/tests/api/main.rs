//! The simulator over HTTP, as a client written by others would meet it: every endpoint it speaks, each
//! answer's shape checked against the recorded fixture where one exists.

mod auth;
mod control;
mod faults;
mod helpers;
mod rows;
mod rowset;
