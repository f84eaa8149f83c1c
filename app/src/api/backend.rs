//! What server functions may ask of the server: one trait per resource, declared beside the server
//! functions that use it and implemented by the server in `server/src/backend/<resource>.rs`. [`Backend`]
//! is all of them at once: the one object the server puts into each request's context.
//!
//! The server implements every trait per request, bound to the caller's session, and checks the caller's
//! role inside every method (the workspace each method reads and writes comes out of that check), so a
//! server function cannot forget it. Functions that judge their input before asking call
//! `api::super_user_backend` first, so a member is told "forbidden" rather than what was wrong.

use super::api_tokens::TokensBackend;
use super::contacts::ContactsBackend;
use super::crm::ConnectionsBackend;
use super::imports::ImportsBackend;
use super::runs::RunsBackend;
use super::session::SessionBackend;
use super::syncs::SyncsBackend;
use super::users::PeopleBackend;

/// Every resource's backend. Implemented for anything that implements them all.
pub trait Backend:
    SessionBackend
    + PeopleBackend
    + ConnectionsBackend
    + ContactsBackend
    + TokensBackend
    + ImportsBackend
    + SyncsBackend
    + RunsBackend
{
}

impl<T> Backend for T where
    T: SessionBackend
        + PeopleBackend
        + ConnectionsBackend
        + ContactsBackend
        + TokensBackend
        + ImportsBackend
        + SyncsBackend
        + RunsBackend
        + ?Sized
{
}
