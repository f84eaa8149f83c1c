-- The sync builder's saves and the runs they lead to.

-- The version of the configuration in `syncs.config`; 0 until the first Save. A save names the version it
-- edited, so two people editing one sync cannot silently overwrite each other (the second is told).
alter table syncs add column config_version integer not null default 0;

-- One row per Save: who, when, what changed (a JSON array of sentences, written by
-- shared::sync::changes), and the whole configuration, so a run can say exactly which version it used.
create table sync_versions (
    sync_id integer not null references syncs (id) on delete cascade,
    version integer not null,
    config text not null,
    -- The name is kept as well: the history should still read "saved by Ada" after Ada's account is gone.
    changed_by integer references users (id) on delete set null,
    changed_by_name text not null,
    changes text not null,
    created_at integer not null,
    primary key (sync_id, version)
);

-- Runs: the durable queue the push engine claims from, and the record of what each run did.
create table sync_runs (
    id integer primary key autoincrement,
    workspace_id integer not null references workspaces (id) on delete cascade,
    sync_id integer not null references syncs (id) on delete cascade,
    config_version integer not null,
    status text not null default 'queued' check (status in (
        'queued', 'running', 'succeeded', 'completed_with_errors', 'failed', 'cancelled', 'paused')),
    full_resync boolean not null default false,
    -- "Retry failed rows": a run over just the failed contacts of an earlier run.
    retry_of integer references sync_runs (id) on delete set null,
    started_by integer references users (id) on delete set null,
    started_by_name text not null,
    created_at integer not null,
    started_at integer,
    finished_at integer,
    updated_at integer not null,
    -- A worker owns a running run until lease_until (unix seconds); a run whose worker died is claimed
    -- again once its lease has lapsed.
    lease_owner text,
    lease_until integer,
    cancel_requested boolean not null default false,
    -- Why a run failed or paused, in words for the user.
    message text,
    komo_total integer not null default 0,
    selected integer not null default 0,
    crm_total integer,
    processed integer not null default 0,
    inserted_ok integer not null default 0,
    inserted_failed integer not null default 0,
    updated_ok integer not null default 0,
    updated_failed integer not null default 0,
    skipped integer not null default 0,
    unchanged integer not null default 0,
    invalid integer not null default 0
);
create index sync_runs_by_sync on sync_runs (sync_id, id);
create index sync_runs_by_status on sync_runs (status, lease_until);
-- One active run per sync, enforced by the database so two clicks on two instances cannot both queue one.
create unique index sync_runs_one_active on sync_runs (sync_id) where status in ('queued', 'running');
