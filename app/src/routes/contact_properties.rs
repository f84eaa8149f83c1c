use crate::api::contacts::{list_contact_properties, AddContactProperty, DeleteContactProperty};
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::contact::custom::{CustomProperty, PropertyType};

/// Account Settings → Contact properties: a workspace's own contact fields. Members see the list; only
/// super users add or delete (the server refuses anyone else).
#[component]
pub fn ContactPropertiesPage() -> impl IntoView {
    let add = ServerAction::<AddContactProperty>::new();
    let delete = ServerAction::<DeleteContactProperty>::new();
    let properties = Resource::new(
        move || (add.version().get(), delete.version().get()),
        |_| list_contact_properties(),
    );
    let add_error = move || add.value().get().and_then(|r| r.err());
    let delete_error = move || delete.value().get().and_then(|r| r.err());

    view! {
        <Title text="Contact properties · Komo CRM Sync" />
        <PageHeader title="Contact properties" crumb=("/settings", "Account Settings") />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match properties.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) => view! {
                        <section class="panel">
                            <h2>"Custom properties"</h2>
                            {move || delete_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                            {if list.is_empty() {
                                view! { <p class="muted empty-line">"No custom properties yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table" data-testid="properties-table">
                                        <thead><tr><th>"Label"</th><th>"Name"</th><th>"Type"</th><th>"Choices"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|property| view! { <PropertyRow property delete /> }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"Add a property"</h2>
            <ActionForm action=add attr:class="form-grid">
                <label>"Label" <input name="label" placeholder="Shoe size" required /></label>
                <label>
                    "Name"
                    <input name="name" placeholder="shoe_size" pattern="[a-z][a-z0-9_]{0,39}" required />
                    <small class="muted">"The key in the API and in CSV mappings."</small>
                </label>
                <label>
                    "Type"
                    <select name="kind">
                        {PropertyType::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Choices"
                    <textarea name="choices" rows="3" placeholder="One per line (single choice only)"></textarea>
                </label>
                {move || add_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                <div><button type="submit" class="button primary">"Add property"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn PropertyRow(
    property: CustomProperty,
    delete: ServerAction<DeleteContactProperty>,
) -> impl IntoView {
    let name = property.name.to_string();
    view! {
        <tr>
            <td>{property.label}</td>
            <td><code>{name.clone()}</code></td>
            <td>{property.kind.label()}</td>
            <td>{property.choices.join(", ")}</td>
            <td>
                <button class="button danger" on:click=move |_| { delete.dispatch(DeleteContactProperty { name: name.clone() }); }>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
