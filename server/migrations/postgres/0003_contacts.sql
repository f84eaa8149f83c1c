-- Komo contacts, one row per (workspace, email). Email is stored lower-cased (shared::EmailAddress), so the
-- unique index makes it unique per workspace case-insensitively; upserts conflict on it.
--
-- Standard columns are nullable only so an upsert can say "not given, keep the stored value" with
-- coalesce(excluded.x, contacts.x); a value read back as null is shown as blank.
create table contacts (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    email text collate "C" not null,
    first_name text,
    last_name text,
    phone text,
    mobile text,
    company text,
    job_title text,
    street text,
    city text,
    region text,
    postcode text,
    country text,
    date_of_birth text, -- YYYY-MM-DD ('' = none): sorts as text on both backends
    marketing_opt_in boolean,
    marketing_opt_in_at bigint,
    source_hub text,
    source_campaign text,
    tags text,   -- JSON array of strings
    custom text, -- JSON object: property name -> {"type", "value"} (shared PropertyValue); null keys cleared
    -- Lower-cased "first last" and "last first", kept by the upsert: prefix search on either, and the
    -- Name sort, use plain b-tree indexes instead of scanning.
    name_key text collate "C" not null default '',
    sort_name text collate "C" not null default '',
    created_at bigint not null,
    updated_at bigint not null
);
create unique index contacts_by_email on contacts (workspace_id, email);
-- Keys are collated "C" (byte order, as in SQLite) so prefix ranges (>= 'ab' and < 'ab\U+10FFFF') mean
-- the same on both backends and use the index.
-- One index per keyset order / search prefix, each ending in id so (key, id) pages never skip or repeat.
create index contacts_by_name on contacts (workspace_id, sort_name, id);
create index contacts_by_name_key on contacts (workspace_id, name_key, id);
create index contacts_by_updated on contacts (workspace_id, updated_at, id);

-- A workspace's custom contact properties. The name is the key in API bodies and in contacts.custom.
create table contact_properties (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    name text not null,
    label text not null,
    kind text not null check (kind in ('text', 'number', 'date', 'boolean', 'single_choice')),
    choices text not null default '[]', -- JSON array, for single_choice
    created_at bigint not null,
    unique (workspace_id, name)
);

-- Workspace API tokens for /api/v1. Only the SHA-256 of the token is stored: the token is random (32 bytes),
-- so a fast hash is enough, and lookups by hash need no per-row salt. The prefix lets people tell tokens
-- apart without the secret.
create table api_tokens (
    id bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    prefix text not null,
    created_at bigint not null,
    last_used_at bigint
);
create index api_tokens_by_workspace on api_tokens (workspace_id, id);
