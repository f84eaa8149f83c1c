//! A sync's configuration page: data source, match, actions, filters, field mapping, connection, Save.
//! Problems come from `shared`'s check — the one the server repeats on Save — and are shown beside their
//! fields; leaving with unsaved changes asks first.

use crate::api::contacts::get_field_catalog;
use crate::api::syncs::{crm_fields, get_sync, sync_url, SaveOutcome, SaveSyncConfig, SyncDetail};
use crate::browser_load::load_in_browser;
use crate::components::spinner::Loading;
use crate::components::sync_config::actions::ActionsSection;
use crate::components::sync_config::filters::FiltersSection;
use crate::components::sync_config::mappings::MappingsSection;
use crate::components::sync_config::matching::MatchSection;
use crate::components::sync_config::source::SourceSection;
use crate::components::sync_config::Draft;
use crate::error::{ApiError, ErrorView};
use crate::leave_guard::guard_while;
use crate::routes::helpers::sync_id_param;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::contact::fields::FieldCatalog;
use shared::sync::config::Problem;
use shared::sync::crm::CrmField;

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

#[component]
fn Editor(detail: SyncDetail, catalog: FieldCatalog) -> impl IntoView {
    let sync = detail.sync.clone();
    let sync_id = sync.id;
    let config = RwSignal::new(detail.config.clone());
    let saved = RwSignal::new(detail.config);
    let base_version = RwSignal::new(sync.config_version);
    let catalog = Signal::stored(catalog);

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
    let describe_error = move || current().and_then(Result::err);
    let loading = Signal::from(describe.loading);

    let attempted = RwSignal::new(false);
    let live_problems = Memo::new(move |_| -> Vec<Problem> {
        let fields: Vec<CrmField> = fields.get();
        if fields.is_empty() {
            return Vec::new();
        }
        catalog.with(|catalog| config.with(|c| c.check(catalog, &fields).err().unwrap_or_default()))
    });
    let problems = Signal::derive(move || {
        if attempted.get() {
            live_problems.get()
        } else {
            Vec::new()
        }
    });
    let draft = Draft {
        config,
        catalog,
        fields,
        problems,
    };

    let dirty = Signal::derive(move || config.with(|c| saved.with(|s| c != s)));
    guard_while(dirty);

    let save = ServerAction::<SaveSyncConfig>::new();
    let server_problems = RwSignal::new(Vec::<Problem>::new());
    Effect::new(move |_| match save.value().get() {
        Some(Ok(SaveOutcome::Saved { version, .. })) => {
            base_version.set(version);
            saved.set(config.get_untracked());
            server_problems.set(Vec::new());
        }
        Some(Ok(SaveOutcome::Refused { problems })) => server_problems.set(problems),
        _ => {}
    });
    let on_save = move |_| {
        attempted.set(true);
        if !live_problems.get_untracked().is_empty() || fields.with_untracked(Vec::is_empty) {
            return;
        }
        save.dispatch(SaveSyncConfig {
            sync_id,
            base_version: base_version.get_untracked(),
            config: config.get_untracked().into(),
        });
    };
    let outcome = move || {
        let problem_count = problems.with(Vec::len) + server_problems.with(Vec::len);
        if problem_count > 0 {
            let mut lines: Vec<String> = problems.get().into_iter().map(|p| p.message).collect();
            lines.extend(server_problems.get().into_iter().map(|p| p.message));
            return Some(view! {
                <div class="form-error" role="alert" data-testid="save-problems">
                    <strong>{format!("Not saved: {problem_count} problem{} to fix.", if problem_count == 1 { "" } else { "s" })}</strong>
                    <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                </div>
            }.into_any());
        }
        match save.value().get() {
            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
            Some(Ok(SaveOutcome::Saved { version, uses_upsert, warnings })) if !dirty.get() => Some(view! {
                <div class="form-ok" role="status" data-testid="save-ok">
                    <strong>{format!("Saved as version {version}.")}</strong>
                    {uses_upsert.then_some(" Contacts will be upserted by the External ID.")}
                    <ul>{warnings.into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}</ul>
                </div>
            }.into_any()),
            _ => None,
        }
    };

    view! {
        <header class="page-header">
            <div>
                <a class="crumb" href=sync_url(sync_id)>{sync.name.clone()}</a>
                <h1>"Configure sync"</h1>
            </div>
        </header>
        {move || describe_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        <SourceSection draft on_refresh=move |()| refreshes.update(|n| *n += 1) loading />
        <MatchSection draft />
        <ActionsSection draft />
        <FiltersSection draft />
        <MappingsSection draft />
        <section class="panel config-section" aria-label="Connection">
            <h2><span class="step">"6"</span> " Connection"</h2>
            <p>
                "Salesforce · " <span class="mono">{sync.connection_domain.clone()}</span> " "
                <a href="/settings/connected-apps">"Edit or re-test in Connected Apps"</a>
            </p>
        </section>
        <div class="save-bar panel">
            <span class="muted" data-testid="dirty-state">
                {move || if dirty.get() { "Unsaved changes" } else { "All changes saved" }}
            </span>
            <button type="button" class="button primary" on:click=on_save prop:disabled=move || save.pending().get()>
                "Save"
            </button>
        </div>
        {outcome}
    }
}
