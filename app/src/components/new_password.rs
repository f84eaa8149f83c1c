//! A field for a password being chosen: long enough (the browser checks it before the server does) and
//! marked as new, so password managers offer to generate and save it.

use leptos::prelude::*;
use shared::MIN_PASSWORD_LEN;

/// `label` is what a person reads; `hint` below it defaults to the length rule (`Some("")`: none).
#[component]
pub fn NewPasswordField(
    label: &'static str,
    name: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint = match hint {
        None => Some(format!("At least {MIN_PASSWORD_LEN} characters.")),
        Some("") => None,
        Some(hint) => Some(hint.to_owned()),
    };
    view! {
        <label>
            {label}
            <input
                name=name
                type="password"
                autocomplete="new-password"
                minlength=MIN_PASSWORD_LEN
                required
            />
            {hint.map(|hint| view! { <small class="muted">{hint}</small> })}
        </label>
    }
}
