use leptos::prelude::*;

/// Title row of a page, with an optional breadcrumb above and actions on the right.
#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] crumb: Option<(&'static str, &'static str)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div>
                {crumb
                    .map(|(href, label)| {
                        view! {
                            <a class="crumb" href=href>
                                {label}
                            </a>
                        }
                    })}
                <h1>{title}</h1>
            </div>
            {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
        </header>
    }
}
