-- Syncs: what pushes a workspace's contacts into one CRM connection. The sync builder fills in the
-- configuration (a JSON document of shared::sync::config::SyncConfig, checked before it is stored) and keeps
-- a version per save; this first table is what a connection needs to know who uses it.
create table syncs (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    -- restrict: a connection in use cannot disappear under its syncs (the server says which syncs first).
    connection_id bigint not null references crm_connections (id) on delete restrict,
    name text not null,
    object text not null check (object in ('Contact', 'Lead')),
    status text not null default 'stopped' check (status in ('running', 'stopped')),
    config text not null default '{}',
    created_at bigint not null,
    updated_at bigint not null
);
create index syncs_by_workspace on syncs (workspace_id, id);
create index syncs_by_connection on syncs (connection_id);
