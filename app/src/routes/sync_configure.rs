//! A sync's configuration page: data source, match, actions, filters, field mapping, connection, Save.
//! Problems come from `shared`'s check — the one the server repeats on Save — and are shown beside their
//! fields; leaving with unsaved changes asks first.
//!
//! `Editor` only wires the parts together; each job has its own module below, and the sections live in
//! `components::sync_config`.

/// Live checks of the draft, shown from the first Save on.
mod checks;
/// The CRM object's fields, read in the browser.
mod describe;
/// Whether the draft differs from what was last saved.
mod dirty;
/// Sending the draft and keeping what the server answered.
mod save;
/// The save bar and the message under it.
mod save_bar;

use crate::api::contacts::get_field_catalog;
use crate::api::syncs::{get_sync, sync_url, SyncDetail};
use crate::components::spinner::Loading;
use crate::components::sync_config::actions::ActionsSection;
use crate::components::sync_config::connection::ConnectionSection;
use crate::components::sync_config::filters::FiltersSection;
use crate::components::sync_config::mappings::MappingsSection;
use crate::components::sync_config::matching::MatchSection;
use crate::components::sync_config::source::SourceSection;
use crate::components::sync_config::Draft;
use crate::error::{ApiError, ErrorView};
use crate::leave_guard::guard_while;
use crate::routes::helpers::sync_id_param;
use checks::use_checks;
use describe::use_describe;
use dirty::unsaved_changes;
use leptos::prelude::*;
use leptos_meta::Title;
use save::use_save;
use save_bar::{SaveBar, SaveMessage};
use shared::contact::fields::FieldCatalog;

#[component]
pub fn SyncConfigurePage() -> impl IntoView {
    let id = sync_id_param();
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_sync(id).await,
            None => Err(ApiError::NotFound("Sync".into())),
        }
    });
    let catalog = Resource::new(|| (), |_| get_field_catalog());
    view! {
        <Title text="Configure sync · Komo CRM Sync" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (detail, catalog) = (detail.await, catalog.await);
                let loaded = detail.and_then(|d| Ok((d, catalog?)));
                match loaded {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok((detail, catalog)) => view! { <Editor detail catalog /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page once the sync and the contact catalog are loaded: holds the draft and the configuration last
/// saved, hands them to the describe, the checks, dirty tracking, the leave guard and Save, and lays out
/// the sections.
#[component]
fn Editor(detail: SyncDetail, catalog: FieldCatalog) -> impl IntoView {
    let sync = detail.sync.clone();
    let sync_id = sync.id;
    let config = RwSignal::new(detail.config.clone());
    let saved = RwSignal::new(detail.config);
    let catalog = Signal::stored(catalog);

    let describe = use_describe(sync_id, config);
    let checks = use_checks(config, catalog, describe.fields);
    let draft = Draft {
        config,
        catalog,
        fields: describe.fields,
        problems: checks.shown,
    };

    let dirty = unsaved_changes(config, saved);
    guard_while(dirty);

    let save = use_save(
        sync_id,
        sync.config_version,
        config,
        saved,
        checks,
        describe.fields,
    );

    view! {
        <header class="page-header">
            <div>
                <a class="crumb" href=sync_url(sync_id)>{sync.name.clone()}</a>
                <h1>"Configure sync"</h1>
            </div>
        </header>
        {move || describe.error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        <SourceSection draft on_refresh=move |()| describe.refresh() loading=describe.loading />
        <MatchSection draft />
        <ActionsSection draft />
        <FiltersSection draft />
        <MappingsSection draft />
        <ConnectionSection domain=sync.connection_domain.clone() />
        <SaveBar save dirty />
        <SaveMessage save problems=checks.shown dirty />
    }
}
