use crate::api::session::{use_current_user, SessionActions};
use crate::components::auth_card::AuthCard;
use crate::components::new_password::NewPasswordField;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/password`: anyone signed in changes their own password, given the current one. Someone whose
/// password a super user set is sent here first and sees nothing else until they have chosen their own.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let Some(actions) = use_context::<SessionActions>() else {
        return ().into_any();
    };
    let change = actions.change_password;
    let me = use_current_user();
    let error = move || change.value().get().and_then(Result::err);
    let field_error = move |field: &'static str| {
        move || {
            error()
                .filter(|e| e.field() == Some(field))
                .map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })
        }
    };
    let other_error = move || {
        error()
            .filter(|e| e.field().is_none())
            .map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })
    };
    let forced = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|me| me.user.must_change_password)
    };
    view! {
        <Title text="Change password · Komo CRM Sync" />
        <AuthCard>
            <h1>{move || if forced() { "Choose your password" } else { "Change password" }}</h1>
            <Transition>
                <p class="muted">
                    {move || {
                        if forced() {
                            "A super user set the password you signed in with. Choose your own to go on; it signs you out everywhere else."
                        } else {
                            "Your other sessions end when the password changes; this one carries on."
                        }
                    }}
                </p>
            </Transition>
            <ActionForm action=change>
                <label>
                    "Current password"
                    <input type="password" name="current_password" autocomplete="current-password" required />
                </label>
                {field_error("current_password")}
                <NewPasswordField label="New password" name="new_password" />
                {field_error("new_password")}
                <NewPasswordField label="Repeat the new password" name="confirm_password" hint="" />
                {field_error("confirm_password")}
                {other_error}
                <button type="submit" class="button primary wide" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Saving…" } else { "Save password" }}
                </button>
            </ActionForm>
            <Show when=move || !forced()>
                <p class="muted">
                    <a href="/settings">"Back to Account Settings"</a>
                </p>
            </Show>
        </AuthCard>
    }
    .into_any()
}
