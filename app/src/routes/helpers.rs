//! Helpers more than one page uses. They live here rather than in the page that had them first, so no
//! page imports another page.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::contact::date::CalendarDate;

/// A stored Unix time as a date, or a dash.
pub(crate) fn show_date(secs: Option<i64>) -> String {
    secs.and_then(CalendarDate::from_unix)
        .map_or_else(|| "—".to_owned(), |d| d.to_string())
}

/// The `:id` route parameter of a sync's pages, as a number.
pub(crate) fn sync_id_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()))
}
