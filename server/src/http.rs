//! Plain axum routes and middleware around the Leptos app.

/// `/api/v1`: the token-authenticated JSON API for contacts.
pub mod api_v1;
/// Where a request came from, through trusted proxies.
pub mod client;
/// CSV cells safe to open in a spreadsheet.
pub mod csv_cell;
/// The session check of the streamed routes.
pub mod guard;
pub mod health;
/// `/import/contacts`: CSV files streamed in, error reports streamed out.
pub mod import;
pub mod pages;
/// `/crm/runs/{id}`: a run's live progress (server-sent events) and its results CSV.
pub mod runs;
pub mod security;
