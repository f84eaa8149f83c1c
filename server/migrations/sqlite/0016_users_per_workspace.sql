-- An email is unique per workspace, no longer across workspaces (issue #16): see the PostgreSQL
-- migration of the same number for why.
--
-- SQLite cannot drop a column's `unique`, so the table is rebuilt: a new table, copy, drop, rename.
-- The documented way turns foreign keys off first, which cannot be done inside a transaction, and sqlx
-- runs every SQLite migration inside one. With foreign keys on, dropping `users` deletes its rows first
-- and so sets sync_versions.changed_by and sync_runs.started_by to null (`on delete set null`): those
-- references are kept aside and put back, ids unchanged. The rename leaves both tables' `references
-- users (id)` pointing at the rebuilt table.
create table users_rebuilt (
    id integer primary key autoincrement,
    workspace_id integer not null references workspaces (id) on delete cascade,
    email text not null,
    name text not null,
    role text not null check (role in ('super_user', 'admin', 'member')),
    password_hash text not null, -- argon2id PHC string; never leaves the server
    created_at integer not null,
    disabled_at integer, -- unix seconds; null while the user may sign in
    session_epoch integer not null default 0,
    must_change_password boolean not null default false,
    unique (workspace_id, email)
);
insert into users_rebuilt (id, workspace_id, email, name, role, password_hash, created_at,
                           disabled_at, session_epoch, must_change_password)
select id, workspace_id, email, name, role, password_hash, created_at,
       disabled_at, session_epoch, must_change_password
from users;

create temporary table kept_run_starters as
    select id, started_by from sync_runs where started_by is not null;
create temporary table kept_version_authors as
    select sync_id, version, changed_by from sync_versions where changed_by is not null;

drop table users;
alter table users_rebuilt rename to users;
create index users_by_workspace on users (workspace_id, id);
create index users_by_email on users (email, id);

update sync_runs set started_by = k.started_by from kept_run_starters k where sync_runs.id = k.id;
update sync_versions set changed_by = k.changed_by
    from kept_version_authors k
    where sync_versions.sync_id = k.sync_id and sync_versions.version = k.version;
drop table kept_run_starters;
drop table kept_version_authors;
