use crate::api::contacts::{contact_syncs, get_contact, ContactDetail};
use crate::components::contact_syncs::ContactSyncsPanel;
use crate::components::shell::CurrentUser;
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::{ApiError, ErrorView};
use crate::routes::helpers::show_date;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One contact: every standard field, the workspace's custom properties, and, for super users, what each
/// sync last pushed of it (members do not see syncs anywhere, so the panel is not shown to them).
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
    let is_super = use_context::<CurrentUser>().is_some_and(|me| me.0.user.role.is_super_user());
    // Loaded beside the contact, not after it: the two requests run at once.
    let syncs = is_super.then(|| {
        Resource::new(id, |id| async move {
            match id {
                Some(id) => contact_syncs(id).await,
                None => Err(ApiError::NotFound("Contact".into())),
            }
        })
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
        {syncs.map(|syncs| view! {
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match syncs.await {
                        // A missing contact already says so above; say it once.
                        Err(ApiError::NotFound(_)) => ().into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                        Ok(syncs) => view! { <ContactSyncsPanel syncs /> }.into_any(),
                    }
                })}
            </Suspense>
        })}
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
    }
}
