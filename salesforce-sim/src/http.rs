//! The HTTP surface: Salesforce's paths (one module per API area) plus the
//! control API under `/__sim`, which Salesforce does not use.

mod bulk_ingest;
mod bulk_query;
mod bulk_results;
mod collections;
mod control;
mod describe;
mod middleware;
mod oauth;
mod query;
mod records;
mod versions;

pub use middleware::DropConnection;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde_json::Value;

/// Bulk uploads may be up to 150 MB after base64 (doc §6.1).
const MAX_BODY: usize = 150 * 1024 * 1024;

/// Registers `path` with and without a trailing slash: clients differ
/// (simple-salesforce asks for `query/`, the docs write `query`).
fn both(router: Router<AppState>, path: &str, handler: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(path, handler.clone())
        .route(&format!("{path}/"), handler)
}

pub fn router(state: AppState) -> Router {
    let d = "/services/data/{version}";
    let mut data = Router::new();
    data = both(data, d, get(versions::resources));
    data = both(data, &format!("{d}/limits"), get(versions::limits));
    data = both(
        data,
        &format!("{d}/limits/recordCount"),
        get(versions::record_count),
    );
    data = both(data, &format!("{d}/sobjects"), get(describe::global));
    data = both(
        data,
        &format!("{d}/sobjects/{{object}}"),
        get(describe::basic_info).post(records::create),
    );
    data = both(
        data,
        &format!("{d}/sobjects/{{object}}/describe"),
        get(describe::describe),
    );
    data = data.route(
        &format!("{d}/sobjects/{{object}}/{{id}}"),
        get(records::get)
            .patch(records::update)
            .delete(records::delete),
    );
    data = data.route(
        &format!("{d}/sobjects/{{object}}/{{field}}/{{value}}"),
        get(records::get_by_key).patch(records::upsert),
    );
    data = both(data, &format!("{d}/query"), get(query::query));
    data = both(data, &format!("{d}/queryAll"), get(query::query_all));
    data = data.route(&format!("{d}/query/{{locator}}"), get(query::next_page));
    data = data.route(&format!("{d}/queryAll/{{locator}}"), get(query::next_page));
    data = both(
        data,
        &format!("{d}/composite/sobjects"),
        post(collections::create)
            .patch(collections::update)
            .delete(collections::delete),
    );
    data = both(
        data,
        &format!("{d}/composite/sobjects/{{object}}/{{field}}"),
        axum::routing::patch(collections::upsert),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest"),
        post(bulk_ingest::create).get(bulk_ingest::list),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest/{{job}}"),
        get(bulk_ingest::info)
            .patch(bulk_ingest::set_state)
            .delete(bulk_ingest::delete),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest/{{job}}/batches"),
        axum::routing::put(bulk_ingest::upload),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest/{{job}}/successfulResults"),
        get(bulk_results::successful),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest/{{job}}/failedResults"),
        get(bulk_results::failed),
    );
    data = both(
        data,
        &format!("{d}/jobs/ingest/{{job}}/unprocessedrecords"),
        get(bulk_results::unprocessed),
    );
    data = both(
        data,
        &format!("{d}/jobs/query"),
        post(bulk_query::create).get(bulk_query::list),
    );
    data = both(
        data,
        &format!("{d}/jobs/query/{{job}}"),
        get(bulk_query::info)
            .patch(bulk_query::set_state)
            .delete(bulk_query::delete),
    );
    data = both(
        data,
        &format!("{d}/jobs/query/{{job}}/results"),
        get(bulk_query::results),
    );
    let data = data.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::data_api,
    ));

    let salesforce = Router::new()
        .route("/services/oauth2/token", post(oauth::token))
        .route("/id/{org}/{user}", get(oauth::identity))
        .route("/services/data", get(versions::list))
        .route("/services/data/", get(versions::list))
        .merge(data)
        .fallback(|| async { ApiError::not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::edge,
        ));

    Router::new()
        .nest("/__sim", control::router())
        .merge(salesforce)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Parses a JSON body, answering like Salesforce when it is not JSON.
fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::json_parser(&e))
}

/// Whether `Sforce-Duplicate-Rule-Header` asks to save despite duplicate rules.
fn allow_duplicate_save(headers: &HeaderMap) -> bool {
    headers
        .get("sforce-duplicate-rule-header")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|kv| kv.trim().eq_ignore_ascii_case("allowSave=true"))
        })
}
