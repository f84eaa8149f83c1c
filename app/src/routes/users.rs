use crate::api::users::{list_users, AddUser, ChangeRole};
use crate::components::{page_header::PageHeader, spinner::Loading};
use crate::error::ErrorView;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{Role, UserView, MIN_PASSWORD_LEN};

/// Account Settings → Users: a super user adds people and changes roles.
#[component]
pub fn UsersPage() -> impl IntoView {
    let add_user = ServerAction::<AddUser>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let users = Resource::new(
        move || (add_user.version().get(), change_role.version().get()),
        |_| list_users(),
    );
    let add_error = move || add_user.value().get().and_then(|r| r.err());
    let added = move || add_user.value().get().and_then(|r| r.ok());
    // Clear the form after a successful add, so the next person starts from empty fields.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if added().is_some() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let role_error = move || change_role.value().get().and_then(|r| r.err());

    view! {
        <Title text="Users · Komo CRM Sync" />
        <PageHeader title="Users and roles" crumb=("/settings", "Account Settings") />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) => {
                        view! {
                            <section class="panel">
                                <h2>"People in this workspace"</h2>
                                {move || role_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                                <table class="table" data-testid="users-table">
                                    <thead>
                                        <tr>
                                            <th>"Name"</th>
                                            <th>"Email"</th>
                                            <th>"Role"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|user| view! { <UserRow user change_role /> })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"Add a user"</h2>
            <ActionForm action=add_user node_ref=form attr:class="form-grid">
                <label>"Name" <input name="name" required /></label>
                <label>"Email" <input name="email" type="email" required /></label>
                <label>
                    "Role"
                    <select name="role">
                        {Role::ALL
                            .into_iter()
                            .map(|role| {
                                view! {
                                    <option value=role.as_str() selected=role == Role::Member>
                                        {role.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Initial password"
                    <input
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        minlength=MIN_PASSWORD_LEN
                        required
                    />
                    <small class="muted">{format!("At least {MIN_PASSWORD_LEN} characters.")}</small>
                </label>
                {move || add_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                {move || {
                    added()
                        .map(|user| {
                            view! {
                                <p class="form-ok" role="status">
                                    {format!("Added {} as {}.", user.email, user.role.label())}
                                </p>
                            }
                        })
                }}
                <div>
                    <button type="submit" class="button primary">
                        "Add user"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserRow(user: UserView, change_role: ServerAction<ChangeRole>) -> impl IntoView {
    let user_id = user.id;
    view! {
        <tr>
            <td>{user.name}</td>
            <td>{user.email}</td>
            <td>
                <select
                    aria-label="Role"
                    on:change=move |ev| {
                        change_role.dispatch(ChangeRole { user_id, role: event_target_value(&ev) });
                    }
                >
                    {Role::ALL
                        .into_iter()
                        .map(|role| {
                            view! {
                                <option value=role.as_str() selected=role == user.role>
                                    {role.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
        </tr>
    }
}
