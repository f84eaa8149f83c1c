//! Contacts → Import: choose a CSV file, match its columns to fields, import with a progress bar, then
//! see (and download) the rows that were not imported. Super users only; the server refuses anyone else.
//!
//! The browser reads only the first 64 KB for the preview; the file itself is streamed to the server,
//! which imports while it arrives. The page polls the import's status meanwhile.

use crate::api::imports::{get_import_status, preview_import, start_import, upload_url};
use crate::browser::{self, PickedFile};
use crate::components::import_mapping::ImportMapping;
use crate::components::import_progress::ImportProgress;
use crate::components::page_header::PageHeader;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use shared::contact::import::{ImportCounts, ImportPreview, ImportState, ImportStatus};

/// Time between status polls while a file imports.
const POLL_MS: i32 = 400;

#[component]
pub fn ContactImportPage() -> impl IntoView {
    let picked = RwSignal::new(None::<PickedFile>);
    let preview = RwSignal::new(None::<ImportPreview>);
    let mapping = RwSignal::new(Vec::<String>::new());
    let status = RwSignal::new(None::<ImportStatus>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = browser::picked_file(&ev) else {
            return;
        };
        preview.set(None);
        status.set(None);
        error.set(None);
        picked.set(Some(file.clone()));
        spawn_local(async move {
            let head = match browser::read_head(&file).await {
                Ok(head) => head,
                Err(e) => return error.set(Some(format!("The file could not be read: {e}"))),
            };
            match preview_import(head).await {
                Ok(p) => {
                    mapping.set(
                        p.suggested
                            .iter()
                            .map(|k| k.clone().unwrap_or_default())
                            .collect(),
                    );
                    preview.set(Some(p));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let on_import = Callback::new(move |()| {
        let Some(file) = picked.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let wire = mapping.get_untracked().join(",");
            let id = match start_import(file.name.clone(), file.size, wire).await {
                Ok(id) => id,
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                    return;
                }
            };
            status.set(Some(ImportStatus {
                id,
                file_name: file.name.clone(),
                state: ImportState::Waiting,
                total_bytes: file.size,
                counts: ImportCounts::default(),
                message: String::new(),
                first_errors: Vec::new(),
            }));
            let upload_failed = RwSignal::new(false);
            spawn_local(async move {
                if let Err(e) = browser::upload(&file, &upload_url(id)).await {
                    error.set(Some(e));
                    upload_failed.set(true);
                }
            });
            // Poll until the server says the import finished, or the upload was refused before it began.
            loop {
                if let Ok(now) = get_import_status(id).await {
                    let finished = now.state.finished();
                    status.set(Some(now));
                    if finished {
                        break;
                    }
                }
                if upload_failed.get_untracked() {
                    break;
                }
                browser::delay(POLL_MS).await;
            }
            busy.set(false);
        });
    });

    // Each part is type-erased: nested as one view type, the page overflows rustc's query depth in the
    // release hydrate build.
    let chooser = view! {
        <section class="panel">
            <h2>"1. Choose a CSV file"</h2>
            <p class="muted">
                "The first row names the columns and one column holds the email address. Contacts are matched by email: a known email is updated, a new one is added. Dates are YYYY-MM-DD; separate tags with commas or semicolons."
            </p>
            <label>
                "CSV file "
                <input
                    type="file"
                    accept=".csv,text/csv"
                    prop:disabled=move || busy.get()
                    on:change=on_file
                />
            </label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </section>
    }
    .into_any();
    let mapping_step = move || {
        preview
            .get()
            .map(|preview| view! { <ImportMapping preview mapping busy on_import /> }.into_any())
    };
    let progress = move || {
        status
            .get()
            .map(|status| view! { <ImportProgress status /> }.into_any())
    };
    view! {
        <Title text="Import contacts · Komo CRM Sync" />
        <PageHeader title="Import contacts" crumb=("/contacts", "Contacts") />
        {chooser}
        {mapping_step}
        {progress}
    }
}
