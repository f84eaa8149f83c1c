use crate::api::api_tokens::{
    list_api_tokens, ApiTokenView, CreateApiToken, RevokeApiToken, TOKEN_LIFETIMES,
};
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use crate::routes::helpers::show_date;
use leptos::prelude::*;
use leptos_meta::Title;

/// Account Settings → API tokens (super users only): the tokens the Komo workspace feeds contacts with.
/// A new token is shown once, right after it is created.
#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_tokens(),
    );
    let created = move || create.value().get().and_then(|r| r.ok());
    let create_error = move || create.value().get().and_then(|r| r.err());
    let revoke_error = move || revoke.value().get().and_then(|r| r.err());

    view! {
        <Title text="API tokens · Komo CRM Sync" />
        <PageHeader title="API tokens" crumb=("/settings", "Account Settings") />
        <section class="panel">
            <h2>"Create a token"</h2>
            <p class="muted">
                "The Komo workspace sends contacts to " <code>"/api/v1"</code>
                " with a token as " <code>"Authorization: Bearer …"</code> ". See "
                <a href="/api/v1/openapi.json">"the API description"</a> "."
            </p>
            <ActionForm action=create attr:class="token-form">
                <label>"Name" <input name="name" placeholder="Komo production feed" required /></label>
                <label>
                    "Expires after"
                    <select name="expires_in_days">
                        {TOKEN_LIFETIMES
                            .into_iter()
                            .map(|(days, label)| {
                                let value = days.map_or_else(|| "never".to_owned(), |d| d.to_string());
                                view! {
                                    <option value=value selected=days == Some(365)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="button primary">"Create token"</button>
            </ActionForm>
            {move || create_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            {move || created().map(|c| view! {
                <div class="form-ok new-token" role="status">
                    <p>"Copy this token now: it will not be shown again."</p>
                    <code data-testid="new-token">{c.token}</code>
                </div>
            })}
        </section>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="panel"><p class="muted empty-line">"No API tokens yet."</p></section>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="panel">
                            <h2>"Tokens"</h2>
                            {move || revoke_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                            <table class="table" data-testid="tokens-table">
                                <thead><tr><th>"Name"</th><th>"Token"</th><th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|token| view! { <TokenRow token revoke /> }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokenRow(token: ApiTokenView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let token_id = token.id;
    view! {
        <tr>
            <td>{token.name}</td>
            <td><code>{format!("{}…", token.prefix)}</code></td>
            <td>{show_date(Some(token.created_at))}</td>
            <td>{show_date(token.last_used_at)}</td>
            <td>
                {match (token.expires_at, token.expired) {
                    (None, _) => view! { <span class="muted">"Never"</span> }.into_any(),
                    (Some(_), true) => view! { <span class="status failed">"Expired"</span> }.into_any(),
                    (Some(at), false) => view! { <span>{show_date(Some(at))}</span> }.into_any(),
                }}
            </td>
            <td>
                <button class="button danger" on:click=move |_| { revoke.dispatch(RevokeApiToken { token_id }); }>
                    "Revoke"
                </button>
            </td>
        </tr>
    }
}
