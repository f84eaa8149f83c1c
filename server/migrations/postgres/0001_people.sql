-- Workspaces are the tenants. Every other table carries workspace_id and every query filters on it, so one
-- workspace's data is never visible from another.
create table workspaces (
    id bigint generated always as identity primary key,
    name text not null,
    created_at bigint not null -- unix seconds, set by the server: one clock for SQLite and PostgreSQL
);

-- Email is unique across workspaces because sign-in asks only for email and password. It is stored
-- lower-cased (shared::EmailAddress), which makes the unique index case-insensitive in effect.
create table users (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    email text not null unique,
    name text not null,
    role text not null check (role in ('super_user', 'admin', 'member')),
    password_hash text not null, -- argon2id PHC string; never leaves the server
    created_at bigint not null
);
create index users_by_workspace on users (workspace_id, id);

-- Failed sign-ins per email, shared by every server instance on this database, so throttling holds
-- behind a load balancer. A success deletes the row.
create table sign_in_failures (
    email text primary key,
    failures bigint not null,
    locked_until bigint not null -- unix seconds; 0 when not locked
);

-- The CRM orgs a workspace has connected. The Connected Apps work adds the credentials; the CRM pages
-- and their role checks stand on this list already.
create table crm_connections (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    crm text not null,
    domain text not null,
    created_at bigint not null,
    unique (workspace_id, crm, domain)
);
