use crate::components::{page_header::PageHeader, shell::CurrentUser};
use leptos::prelude::*;
use leptos_meta::Title;

/// Account Settings, reached from the workspace initials.
#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let me = use_context::<CurrentUser>().map(|c| c.0);
    let is_super = me.as_ref().is_some_and(|m| m.user.role.is_super_user());
    view! {
        <Title text="Account Settings · Komo CRM Sync" />
        <PageHeader title="Account Settings" />
        {me
            .map(|me| {
                view! {
                    <section class="panel">
                        <h2>"Workspace"</h2>
                        <dl class="facts">
                            <dt>"Name"</dt>
                            <dd>{me.workspace.name}</dd>
                            <dt>"Initials"</dt>
                            <dd>{me.workspace.initials}</dd>
                            <dt>"You"</dt>
                            <dd>{me.user.name} " (" {me.user.email} ") · " {me.user.role.label()}</dd>
                            <dt>"Password"</dt>
                            <dd>
                                <a href=crate::CHANGE_PASSWORD_PATH>"Change your password"</a>
                            </dd>
                        </dl>
                    </section>
                }
            })}
        <div class="tiles">
            {if is_super {
                view! {
                    <a class="panel tile" href="/settings/connected-apps">
                        <h2>"Connected Apps"</h2>
                        <p class="muted">"Connect Salesforce and test the connection."</p>
                    </a>
                    <a class="panel tile" href="/settings/users">
                        <h2>"Users and roles"</h2>
                        <p class="muted">"Add people to the workspace and choose what they may do."</p>
                    </a>
                    <a class="panel tile" href="/settings/contact-properties">
                        <h2>"Contact properties"</h2>
                        <p class="muted">"Custom fields your contacts carry besides the standard ones."</p>
                    </a>
                    <a class="panel tile" href="/settings/api-tokens">
                        <h2>"API tokens"</h2>
                        <p class="muted">"Let the Komo workspace feed contacts through the REST API."</p>
                    </a>
                }
                    .into_any()
            } else {
                view! {
                    <div class="panel tile disabled">
                        <h2>"Connected Apps, users and API tokens"</h2>
                        <p class="muted">
                            "Only super users manage CRM connections, syncs, users, contact properties and API tokens."
                        </p>
                    </div>
                }
                    .into_any()
            }}
        </div>
    }
}
