//! The describe: the fields of the CRM object the draft names, read from Salesforce once the page is live in
//! the browser (see [`load_in_browser`](crate::browser_load::load_in_browser)), and read again, past the
//! server's cache, after "Refresh fields".

use crate::api::syncs::crm_fields;
use crate::browser_load::load_in_browser;
use crate::error::ApiError;
use leptos::prelude::*;
use shared::sync::config::SyncConfig;
use shared::sync::crm::CrmField;

/// What the page knows of the describe of the draft's object.
#[derive(Clone, Copy)]
pub(super) struct Describe {
    /// The fields the pickers offer and the check runs against; empty until the describe arrives, or if it failed.
    pub fields: Signal<Vec<CrmField>>,
    /// Why the describe failed, if it did.
    pub error: Signal<Option<ApiError>>,
    /// True until the first answer and while a later one is on its way.
    pub loading: Signal<bool>,
    refreshes: RwSignal<u32>,
}

impl Describe {
    /// "Refresh fields": asks Salesforce again instead of taking the server's cached describe.
    pub fn refresh(&self) {
        self.refreshes.update(|n| *n += 1);
    }
}

/// Loads the describe of the draft's object, again whenever the data source changes or a refresh is asked for.
pub(super) fn use_describe(sync_id: i64, config: RwSignal<SyncConfig>) -> Describe {
    // The describe is read in the browser once the page is up; "Refresh fields" asks Salesforce again.
    let refreshes = RwSignal::new(0_u32);
    let object = Memo::new(move |_| config.with(|c| c.object));
    // Each answer carries the object it describes: after a switch of data source the previous object's
    // fields must not be offered (or mapped by name) while the new describe is on its way.
    let describe = load_in_browser(
        move || (object.get().api_name().to_owned(), refreshes.get() > 0),
        move |(object, refresh)| async move {
            let answer = crm_fields(sync_id, object.clone(), refresh).await;
            (object, answer)
        },
    );
    let current = move || {
        let wanted = object.get().api_name();
        describe
            .value
            .get()
            .and_then(|(described, answer)| (described == wanted).then_some(answer))
    };
    let fields = Signal::derive(move || current().and_then(Result::ok).unwrap_or_default());
    let error = Signal::derive(move || current().and_then(Result::err));
    let loading = Signal::from(describe.loading);
    Describe {
        fields,
        error,
        loading,
        refreshes,
    }
}
