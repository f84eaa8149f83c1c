//! The mapping step of a CSV import: a field for each column (auto-matched, changeable) and the first rows.

use leptos::prelude::*;
use shared::contact::import::ImportPreview;

/// `mapping` holds a field key per column ("" = skip); the selects write to it.
#[component]
pub fn ImportMapping(
    preview: ImportPreview,
    mapping: RwSignal<Vec<String>>,
    #[prop(into)] busy: Signal<bool>,
    on_import: Callback<()>,
) -> impl IntoView {
    let ImportPreview {
        headers,
        suggested,
        rows,
        fields,
    } = preview;
    let has_email = move || mapping.with(|m| m.iter().any(|k| k == "email"));
    let label_of = {
        let fields = fields.clone();
        move |key: &str| {
            fields
                .iter()
                .find(|f| f.key == key)
                .map_or_else(|| "(skipped)".to_owned(), |f| f.label.clone())
        }
    };
    let column_rows = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let chosen = suggested.get(i).cloned().flatten().unwrap_or_default();
            let samples: Vec<String> = rows
                .iter()
                .filter_map(|r| r.get(i).filter(|c| !c.is_empty()).cloned())
                .take(3)
                .collect();
            let options = fields
                .iter()
                .map(|f| {
                    view! {
                        <option value=f.key.clone() selected=f.key == chosen>
                            {f.label.clone()}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <td>
                        <strong>{header.clone()}</strong>
                    </td>
                    <td>
                        <select
                            aria-label=format!("Field for column {header}")
                            prop:disabled=move || busy.get()
                            on:change=move |ev| {
                                let key = event_target_value(&ev);
                                mapping.update(|m| if let Some(slot) = m.get_mut(i) { *slot = key });
                            }
                        >
                            <option value="" selected=chosen.is_empty()>
                                "— skip this column —"
                            </option>
                            {options}
                        </select>
                    </td>
                    <td class="muted">{samples.join(" · ")}</td>
                </tr>
            }
        })
        .collect_view();
    let column_count = headers.len();
    view! {
        <section class="panel" aria-label="Map columns">
            <h2>"2. Match columns to contact fields"</h2>
            <p class="muted">
                "Columns were matched by name. Change any that are wrong, or skip a column to leave that field as it is."
            </p>
            <div class="table-scroll">
                <table class="table" data-testid="import-mapping">
                    <thead>
                        <tr>
                            <th>"Column in your file"</th>
                            <th>"Contact field"</th>
                            <th>"Examples"</th>
                        </tr>
                    </thead>
                    <tbody>{column_rows}</tbody>
                </table>
            </div>
            <h3>"First rows"</h3>
            <div class="table-scroll">
                <table class="table" data-testid="import-preview">
                    <thead>
                        <tr>
                            {move || {
                                mapping
                                    .get()
                                    .iter()
                                    .take(column_count)
                                    .map(|key| view! { <th>{label_of(key)}</th> })
                                    .collect_view()
                            }}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                view! {
                                    <tr>
                                        {row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {move || {
                (!has_email())
                    .then(|| {
                        view! {
                            <p class="form-error" role="alert">
                                "Choose which column holds the email address: contacts are matched by email."
                            </p>
                        }
                    })
            }}
            <button
                type="button"
                class="button primary"
                prop:disabled=move || busy.get() || !has_email()
                on:click=move |_| on_import.run(())
            >
                "Import contacts"
            </button>
        </section>
    }
}
