use crate::api::session::SessionActions;
use crate::components::auth_card::AuthCard;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let Some(actions) = use_context::<SessionActions>() else {
        return ().into_any();
    };
    let sign_in = actions.sign_in;
    let error = move || {
        sign_in
            .value()
            .get()
            .and_then(|result| result.err())
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Sign in · Komo CRM Sync" />
        <AuthCard>
            <h1>"Sign in"</h1>
            <p class="muted">"Push the contacts your hubs collect into Salesforce."</p>
            <ActionForm action=sign_in>
                <label>
                    "Email" <input type="email" name="email" autocomplete="username" required />
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                {move || error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <button type="submit" class="button primary wide" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </AuthCard>
    }
    .into_any()
}
