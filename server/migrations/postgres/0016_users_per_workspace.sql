-- An email is unique per workspace, no longer across workspaces (issue #16). With one account per email
-- across the product, adding a user told a super user whether that email had an account in any other
-- workspace ("already taken"). Now each workspace's accounts are its own: adding an email conflicts only
-- with the same workspace's users, which the super user can see anyway. Sign-in looks an email up in
-- every workspace and checks the password against each of its accounts (backend/session.rs), so the
-- second index serves that lookup.
alter table users drop constraint users_email_key;
alter table users add constraint users_workspace_email_key unique (workspace_id, email);
create index users_by_email on users (email, id);
