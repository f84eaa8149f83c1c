use crate::api::contacts::list_contacts;
use crate::components::shell::CurrentUser;
use crate::components::{empty_state::EmptyState, page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use crate::routes::helpers::show_date;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::contact::query::{ContactPage, ContactSort};
use shared::contact::Contact;
use shared::numbers::thousands;

/// Percent-encodes a query-string value (everything but unreserved characters).
pub(crate) fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The workspace's contacts: a keyset-paged table with search, sort and a count. State lives in the URL
/// (`?q=&sort=&after=`), so a page can be bookmarked, reloaded and works before hydration.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let can_import = use_context::<CurrentUser>().is_some_and(|me| me.0.user.role.is_super_user());
    let page = Resource::new(
        move || (param("q"), param("sort"), param("after")),
        |(q, sort, after)| list_contacts(q, sort, after),
    );

    view! {
        <Title text="Contacts · Komo CRM Sync" />
        <PageHeader title="Contacts">
            {can_import.then(|| view! { <a class="button" href="/contacts/import">"Import CSV"</a> })}
        </PageHeader>
        <form class="panel contacts-toolbar" method="get" action="/contacts" role="search">
            <input
                type="search"
                name="q"
                placeholder="Search by email or name"
                aria-label="Search contacts"
                prop:value=move || param("q")
            />
            <label>
                "Sort "
                <select name="sort" aria-label="Sort">
                    {move || {
                        let current = ContactSort::parse(&param("sort"));
                        ContactSort::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=s == current>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <button type="submit" class="button">
                "Search"
            </button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let search = param("q");
                let sort = param("sort");
                let first_page = param("after").is_empty();
                match page.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(page) if page.total == 0 && search.trim().is_empty() => {
                        view! {
                            <EmptyState
                                icon="users"
                                title="No contacts yet"
                                message="Contacts arrive from your Komo workspace through the API (a super user creates an API token under Account Settings) or from a CSV file a super user imports. They will be listed here, ready to sync to your CRM."
                            />
                        }
                            .into_any()
                    }
                    Ok(page) => {
                        view! { <ContactTable page search sort first_page /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContactTable(
    page: ContactPage,
    search: String,
    sort: String,
    first_page: bool,
) -> impl IntoView {
    let noun = if page.total == 1 {
        "contact"
    } else {
        "contacts"
    };
    // A search counts up to ContactPage::COUNT_CAP: "10,000+ contacts match".
    let total = if page.total_capped {
        format!("{}+", thousands(page.total))
    } else {
        thousands(page.total)
    };
    let count = if search.trim().is_empty() {
        format!("{total} {noun}")
    } else {
        format!("{total} {noun} match “{}”", search.trim())
    };
    let base = format!(
        "/contacts?q={}&sort={}",
        encode_query(&search),
        encode_query(&sort)
    );
    let next = page.next.map(|c| format!("{base}&after={}", c.encode()));
    let empty = page.contacts.is_empty();
    view! {
        <section class="panel">
            <p class="contacts-count" data-testid="contacts-count">{count}</p>
            {if empty {
                view! { <p class="muted empty-line">"No contacts match. Try the start of an email, first or last name."</p> }
                    .into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table contacts-table" data-testid="contacts-table">
                            <thead>
                                <tr>
                                    <th>"Name"</th>
                                    <th>"Email"</th>
                                    <th>"Company"</th>
                                    <th>"City"</th>
                                    <th>"Opt-in"</th>
                                    <th>"Updated"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.contacts.into_iter().map(|contact| view! { <ContactRow contact /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            <nav class="pager" aria-label="Pages">
                {(!first_page).then(|| view! { <a class="button" href=base.clone()>"First page"</a> })}
                {next.map(|href| view! { <a class="button" href=href rel="next">"Next page"</a> })}
            </nav>
        </section>
    }
}

#[component]
fn ContactRow(contact: Contact) -> impl IntoView {
    let href = format!("/contacts/{}", contact.id);
    let name = contact.display_name();
    view! {
        <tr>
            <td>
                <a href=href>{name}</a>
            </td>
            <td>{contact.email.to_string()}</td>
            <td>{contact.company}</td>
            <td>{contact.city}</td>
            <td>
                {if contact.marketing_opt_in {
                    view! { <span class="badge ok">"Opted in"</span> }.into_any()
                } else {
                    view! { <span class="muted">"—"</span> }.into_any()
                }}
            </td>
            <td>{show_date(Some(contact.updated_at))}</td>
        </tr>
    }
}
