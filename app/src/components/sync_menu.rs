//! A sync's three-dots menu: Configure, Rename, Start / Stop, Sync now (only while Running), Duplicate,
//! Delete (after a confirmation). Used on the syncs list and on the sync's page.

use crate::api::runs::{run_url, SyncNow};
use crate::api::syncs::{
    configure_url, sync_url, DeleteSync, DuplicateSync, RenameSync, SetSyncRunning, SyncSummary,
};
use crate::components::icon::Icon;
use crate::components::modal::Modal;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::sync::status::SyncStatus;

#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Nothing,
    Rename,
    Delete,
}

#[component]
pub fn SyncMenu(
    sync: SyncSummary,
    /// Called after a change that leaves the caller's page in place (rename, start, stop).
    #[prop(into)]
    on_changed: Callback<()>,
) -> impl IntoView {
    let sync_id = sync.id;
    let running = sync.status == SyncStatus::Running;
    let name = sync.name.clone();
    let rename = ServerAction::<RenameSync>::new();
    let set_running = ServerAction::<SetSyncRunning>::new();
    let sync_now = ServerAction::<SyncNow>::new();
    let duplicate = ServerAction::<DuplicateSync>::new();
    let delete = ServerAction::<DeleteSync>::new();
    let asking = RwSignal::new(Asking::Nothing);
    let new_name = RwSignal::new(sync.name.clone());
    let menu_open = RwSignal::new(false);

    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = sync_now.value().get() {
            navigate(&run_url(sync_id, outcome.run_id), Default::default());
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(copy_id)) = duplicate.value().get() {
            navigate(&sync_url(copy_id), Default::default());
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            asking.set(Asking::Nothing);
            on_changed.run(());
            navigate("/crm/syncs", Default::default());
        }
    });
    Effect::new(move |_| {
        let renamed = matches!(rename.value().get(), Some(Ok(())));
        let toggled = matches!(set_running.value().get(), Some(Ok(())));
        if renamed || toggled {
            asking.set(Asking::Nothing);
            on_changed.run(());
        }
    });

    let error = move || {
        [
            rename.value().get().and_then(Result::err),
            set_running.value().get().and_then(Result::err),
            sync_now.value().get().and_then(Result::err),
            duplicate.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let choose = move |what: Asking| {
        menu_open.set(false);
        asking.set(what);
    };

    view! {
        <div class="sync-menu">
            <details class="dots-menu" prop:open=move || menu_open.get()>
                <summary
                    role="button"
                    class="button icon-button"
                    aria-label=format!("Actions for {name}")
                    on:click=move |ev| {
                        ev.prevent_default();
                        menu_open.update(|open| *open = !*open);
                    }
                >
                    <Icon name="dots" />
                </summary>
                <div class="menu" role="menu">
                    <a role="menuitem" href=configure_url(sync_id)>"Configure"</a>
                    <button role="menuitem" class="menu-button" on:click=move |_| choose(Asking::Rename)>
                        "Rename"
                    </button>
                    <button
                        role="menuitem"
                        class="menu-button"
                        on:click=move |_| {
                            menu_open.set(false);
                            set_running.dispatch(SetSyncRunning { sync_id, running: !running });
                        }
                    >
                        {if running { "Stop" } else { "Start" }}
                    </button>
                    {running
                        .then(|| {
                            view! {
                                <button
                                    role="menuitem"
                                    class="menu-button"
                                    on:click=move |_| {
                                        menu_open.set(false);
                                        sync_now.dispatch(SyncNow { sync_id, full_resync: false });
                                    }
                                >
                                    "Sync now"
                                </button>
                            }
                        })}
                    <button
                        role="menuitem"
                        class="menu-button"
                        on:click=move |_| {
                            menu_open.set(false);
                            duplicate.dispatch(DuplicateSync { sync_id });
                        }
                    >
                        "Duplicate"
                    </button>
                    <button role="menuitem" class="menu-button danger-text" on:click=move |_| choose(Asking::Delete)>
                        "Delete"
                    </button>
                </div>
            </details>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            {move || match asking.get() {
                Asking::Nothing => None,
                Asking::Rename => Some(view! {
                    <Modal title="Rename sync" on_close=move |()| asking.set(Asking::Nothing)>
                        <form on:submit=move |ev| {
                            ev.prevent_default();
                            rename.dispatch(RenameSync { sync_id, name: new_name.get_untracked() });
                        }>
                            <label>
                                "Internal name"
                                <input
                                    name="name"
                                    maxlength="100"
                                    prop:value=move || new_name.get()
                                    on:input=move |ev| new_name.set(event_target_value(&ev))
                                />
                            </label>
                            {move || rename.value().get().and_then(Result::err).map(|e| view! {
                                <p class="field-error" role="alert">{e.to_string()}</p>
                            })}
                            <div class="form-actions">
                                <button type="submit" class="button primary">"Save name"</button>
                                <button type="button" class="button" on:click=move |_| asking.set(Asking::Nothing)>
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    </Modal>
                }.into_any()),
                Asking::Delete => Some(view! {
                    <Modal title="Delete sync?" on_close=move |()| asking.set(Asking::Nothing)>
                        <p>
                            "The sync, its configuration history and its run history are deleted. "
                            "Records already pushed stay in Salesforce."
                        </p>
                        <div class="form-actions">
                            <button class="button danger" on:click=move |_| { delete.dispatch(DeleteSync { sync_id }); }>
                                "Delete sync"
                            </button>
                            <button class="button" on:click=move |_| asking.set(Asking::Nothing)>"Cancel"</button>
                        </div>
                    </Modal>
                }.into_any()),
            }}
        </div>
    }
}
