//! `/services/data/` (versions), `/services/data/vXX.X/` (resources) and `/limits` (doc §2.1, §2.3).

use crate::state::{AppState, Ctx};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;

const LIMITS: &str = include_str!("../../fixtures/limits_developer_edition.json");

/// Release name of a REST version: v59.0 is Winter '24 and each version is the next season.
pub fn release_label(major: u32) -> String {
    let k = major as i64 - 59;
    let season = ["Winter", "Spring", "Summer"][k.rem_euclid(3) as usize];
    format!("{season} '{:02}", 24 + k.div_euclid(3))
}

/// Not metered and needs no session (doc §2.1); no `Sforce-Limit-Info` either.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let (oldest, latest) = {
        let org = state.org.lock();
        (org.config.oldest_version, org.config.latest_version)
    };
    let versions: Vec<Value> = (oldest..=latest)
        .map(|v| json!({"label": release_label(v), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")}))
        .collect();
    Json(Value::Array(versions))
}

pub async fn resources(Extension(ctx): Extension<Ctx>) -> Json<Value> {
    let base = format!("/services/data/v{}", ctx.version);
    let mut m = serde_json::Map::new();
    for (name, path) in [
        ("sobjects", "sobjects"),
        ("query", "query"),
        ("queryAll", "queryAll"),
        ("limits", "limits"),
        ("composite", "composite"),
        ("jobs", "jobs"),
    ] {
        m.insert(name.to_owned(), json!(format!("{base}/{path}")));
    }
    Json(Value::Object(m))
}

pub async fn limits(State(state): State<AppState>) -> Response {
    let mut doc: Value = match serde_json::from_str(LIMITS) {
        Ok(v) => v,
        Err(_) => return crate::error::ApiError::not_found().into_response(),
    };
    let org = state.org.lock();
    if let Some(m) = doc.as_object_mut() {
        m.insert(
            "DailyApiRequests".to_owned(),
            json!({"Max": org.api_max, "Remaining": org.api_max.saturating_sub(org.api_used)}),
        );
    }
    Json(doc).into_response()
}

/// `GET /limits/recordCount?sObjects=Contact,Lead` (doc §2.3).
pub async fn record_count(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Value> {
    let org = state.org.lock();
    let wanted: Vec<String> = params
        .get("sObjects")
        .map(|s| s.split(',').map(|x| x.trim().to_owned()).collect())
        .unwrap_or_else(|| org.objects.iter().map(|o| o.schema.name.clone()).collect());
    let counts: Vec<Value> = wanted
        .iter()
        .filter_map(|name| org.object_index(name))
        .map(|i| &org.objects[i])
        .filter(|o| o.table.live_count() > 0)
        .map(|o| json!({"count": o.table.live_count(), "name": o.schema.name}))
        .collect();
    Json(json!({ "sObjects": counts }))
}

#[cfg(test)]
mod tests {
    use super::release_label;

    #[test]
    fn version_labels_match_salesforce_releases() {
        assert_eq!(release_label(59), "Winter '24");
        assert_eq!(release_label(62), "Winter '25");
        assert_eq!(release_label(66), "Spring '26");
        assert_eq!(release_label(31), "Summer '14");
    }
}
