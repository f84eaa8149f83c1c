use crate::api::users::{
    list_users, AddUser, ChangeRole, DeleteUser, DisableUser, EnableUser, ResetPassword,
    SignOutUser,
};
use crate::components::new_password::NewPasswordField;
use crate::components::{page_header::PageHeader, shell::CurrentUser, spinner::Loading};
use crate::error::{ApiError, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{Role, UserView};

/// What a super user can do to someone else's account, one action each; the list reloads after any.
#[derive(Clone, Copy)]
struct AccountActions {
    change_role: ServerAction<ChangeRole>,
    disable: ServerAction<DisableUser>,
    enable: ServerAction<EnableUser>,
    delete: ServerAction<DeleteUser>,
    sign_out: ServerAction<SignOutUser>,
    reset_password: ServerAction<ResetPassword>,
}

impl AccountActions {
    fn new() -> Self {
        Self {
            change_role: ServerAction::new(),
            disable: ServerAction::new(),
            enable: ServerAction::new(),
            delete: ServerAction::new(),
            sign_out: ServerAction::new(),
            reset_password: ServerAction::new(),
        }
    }

    fn versions(&self) -> [usize; 6] {
        [
            self.change_role.version().get(),
            self.disable.version().get(),
            self.enable.version().get(),
            self.delete.version().get(),
            self.sign_out.version().get(),
            self.reset_password.version().get(),
        ]
    }

    /// The latest refusal of any of them, for the one message above the table.
    fn error(&self) -> Option<ApiError> {
        let errors = [
            self.change_role.value().get().and_then(|r| r.err()),
            self.disable.value().get().and_then(|r| r.err()),
            self.enable.value().get().and_then(|r| r.err()),
            self.delete.value().get().and_then(|r| r.err()),
            self.sign_out.value().get().and_then(|r| r.err()),
            self.reset_password.value().get().and_then(|r| r.err()),
        ];
        errors.into_iter().flatten().next()
    }
}

/// Account Settings → Users: a super user adds people, changes roles, disables, deletes, resets passwords
/// and signs people out everywhere.
#[component]
pub fn UsersPage() -> impl IntoView {
    let add_user = ServerAction::<AddUser>::new();
    let actions = AccountActions::new();
    let me_id = use_context::<CurrentUser>().map(|c| c.0.user.id);
    let users = Resource::new(
        move || (add_user.version().get(), actions.versions()),
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
    let action_error = move || actions.error();
    let signed_out = move || {
        actions
            .sign_out
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|()| "Signed out everywhere: their open pages ask them to sign in again.")
    };

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
                                {move || action_error().map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
                                {move || signed_out().map(|m| view! { <p class="form-ok" role="status">{m}</p> })}
                                <table class="table" data-testid="users-table">
                                    <thead>
                                        <tr>
                                            <th>"Name"</th>
                                            <th>"Email"</th>
                                            <th>"Role"</th>
                                            <th>"Status"</th>
                                            <th><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|user| {
                                                let is_me = Some(user.id) == me_id;
                                                view! { <UserRow user is_me actions /> }
                                            })
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
                <NewPasswordField label="Initial password" name="password" />
                {move || add_error().map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
                {move || {
                    added()
                        .map(|user| {
                            view! {
                                <p class="form-ok" role="status">
                                    {format!(
                                        "Added {} as {}. Give them the initial password: they choose their own when they first sign in.",
                                        user.email,
                                        user.role.label(),
                                    )}
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
fn UserRow(user: UserView, is_me: bool, actions: AccountActions) -> impl IntoView {
    let user_id = user.id;
    let email = user.email.clone();
    let email_attr = user.email.clone();
    let name = user.name.clone();
    let role_label = format!("Role of {}", user.name);
    let current_role = user.role;
    let status = if user.disabled {
        view! { <span class="status failed">"Disabled"</span> }.into_any()
    } else if user.must_change_password {
        view! { <span class="status">"New password pending"</span> }.into_any()
    } else {
        view! { <span class="status ok">"Active"</span> }.into_any()
    };
    view! {
        <tr data-testid="user-row" data-email=email_attr>
            <td>{name} {is_me.then(|| view! { <span class="muted">" (you)"</span> })}</td>
            <td>{email}</td>
            <td>
                <select
                    aria-label=role_label
                    on:change=move |ev| {
                        actions
                            .change_role
                            .dispatch(ChangeRole { user_id, role: event_target_value(&ev) });
                    }
                >
                    {Role::ALL
                        .into_iter()
                        .map(|role| {
                            view! {
                                <option value=role.as_str() selected=role == current_role>
                                    {role.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>{status}</td>
            <td>
                {if is_me {
                    view! {
                        <a href=crate::CHANGE_PASSWORD_PATH>"Change your password"</a>
                    }
                        .into_any()
                } else {
                    view! { <AccountMenu user actions /> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Someone else's account: sign out everywhere, reset the password, disable or enable, delete. Deleting
/// asks once more before it happens.
#[component]
fn AccountMenu(user: UserView, actions: AccountActions) -> impl IntoView {
    let user_id = user.id;
    let name = user.name.clone();
    let confirming_delete = RwSignal::new(false);
    let resetting = RwSignal::new(false);
    view! {
        <div class="connection-actions">
            <button
                type="button"
                class="button secondary"
                on:click=move |_| {
                    actions.sign_out.dispatch(SignOutUser { user_id });
                }
            >
                "Sign out everywhere"
            </button>
            <button type="button" class="button secondary" on:click=move |_| resetting.update(|r| *r = !*r)>
                "Reset password"
            </button>
            {
                let disabled = user.disabled;
                let toggle = move |_| {
                    if disabled {
                        actions.enable.dispatch(EnableUser { user_id });
                    } else {
                        actions.disable.dispatch(DisableUser { user_id });
                    }
                };
                view! {
                    <button type="button" class="button secondary" on:click=toggle>
                        {if disabled { "Enable" } else { "Disable" }}
                    </button>
                }
            }
            <Show
                when=move || confirming_delete.get()
                fallback=move || {
                    view! {
                        <button type="button" class="button secondary" on:click=move |_| confirming_delete.set(true)>
                            "Delete"
                        </button>
                    }
                }
            >
                <button
                    type="button"
                    class="button danger"
                    on:click=move |_| {
                        actions.delete.dispatch(DeleteUser { user_id });
                    }
                >
                    {format!("Delete {name} for good")}
                </button>
                <button type="button" class="button secondary" on:click=move |_| confirming_delete.set(false)>
                    "Keep"
                </button>
            </Show>
        </div>
        <Show when=move || resetting.get()>
            <ActionForm action=actions.reset_password attr:class="form-grid">
                <input type="hidden" name="user_id" value=user_id />
                <NewPasswordField
                    label="New initial password"
                    name="password"
                    hint="They choose their own when they next sign in; their sessions end now."
                />
                <div>
                    <button type="submit" class="button primary">"Set password"</button>
                </div>
            </ActionForm>
        </Show>
    }
}
