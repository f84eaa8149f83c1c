use crate::api::contacts::{get_contact, ContactDetail};
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::{ApiError, ErrorView};
use crate::routes::contacts::show_date;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One contact: every standard field, the workspace's custom properties, and (once syncs exist) where it
/// was pushed.
#[component]
pub fn ContactDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_contact(id).await,
            None => Err(ApiError::NotFound("Contact".into())),
        }
    });
    view! {
        <Title text="Contact · Komo CRM Sync" />
        <PageHeader title="Contact" crumb=("/contacts", "Contacts") />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(detail) => view! { <ContactFacts detail /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContactFacts(detail: ContactDetail) -> impl IntoView {
    let c = detail.contact;
    let or_dash = |s: String| {
        if s.trim().is_empty() {
            "—".to_owned()
        } else {
            s
        }
    };
    let address = [
        c.street.as_str(),
        c.city.as_str(),
        c.region.as_str(),
        c.postcode.as_str(),
        c.country.as_str(),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let opt_in = if c.marketing_opt_in {
        format!("Yes, since {}", show_date(c.marketing_opt_in_at))
    } else {
        "No".to_owned()
    };
    let facts: Vec<(&str, String)> = vec![
        ("Email", c.email.to_string()),
        ("First name", or_dash(c.first_name.clone())),
        ("Last name", or_dash(c.last_name.clone())),
        ("Phone", or_dash(c.phone.clone())),
        ("Mobile", or_dash(c.mobile.clone())),
        ("Company", or_dash(c.company.clone())),
        ("Job title", or_dash(c.job_title.clone())),
        ("Address", or_dash(address)),
        (
            "Date of birth",
            c.date_of_birth
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
        ),
        ("Marketing opt-in", opt_in),
        ("Source hub", or_dash(c.source_hub.clone())),
        ("Source campaign", or_dash(c.source_campaign.clone())),
        ("Tags", or_dash(c.tags.join(", "))),
        ("Created", show_date(Some(c.created_at))),
        ("Updated", show_date(Some(c.updated_at))),
    ];
    let custom: Vec<(String, String)> = detail
        .properties
        .iter()
        .map(|p| {
            let value = c
                .custom
                .get(p.name.as_str())
                .map_or_else(|| "—".to_owned(), ToString::to_string);
            (p.label.clone(), value)
        })
        .collect();
    let has_custom = !custom.is_empty();
    view! {
        <section class="panel" data-testid="contact-detail">
            <h2>{c.display_name()}</h2>
            <dl class="facts">
                {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt> <dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
        {has_custom.then(|| view! {
            <section class="panel">
                <h2>"Custom properties"</h2>
                <dl class="facts">
                    {custom.into_iter().map(|(k, v)| view! { <dt>{k}</dt> <dd>{v}</dd> }).collect_view()}
                </dl>
            </section>
        })}
        <section class="panel">
            <h2>"Syncs"</h2>
            <p class="muted">"Once a sync pushes this contact, its Salesforce id, last push and any error appear here."</p>
        </section>
    }
}
