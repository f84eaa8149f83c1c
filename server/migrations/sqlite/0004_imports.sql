-- CSV imports. A row is created when the page starts an import (with the chosen mapping), then the file
-- streams in and the counters move; the page polls them for its progress bar. Progress lives in the
-- database rather than in server memory so any instance can answer the poll.
create table imports (
    id integer primary key autoincrement,
    workspace_id integer not null references workspaces (id) on delete cascade,
    file_name text not null,
    -- Field key per column, comma-separated, '' for a skipped column (shared ImportMapping's wire form).
    mapping text not null,
    state text not null check (state in ('waiting', 'running', 'done', 'failed')),
    total_bytes integer not null, -- the file's size as the browser reported it: the bar's 100%
    bytes_read integer not null default 0,
    rows_read integer not null default 0,
    rows_saved integer not null default 0,
    rows_failed integer not null default 0,
    message text not null default '', -- why a failed import stopped
    created_at integer not null,
    updated_at integer not null
);
create index imports_by_workspace on imports (workspace_id, id);

-- One row per problem with one row of a file: the downloadable error report. Kept in the database, not in
-- memory, so a file with a million bad rows costs disk, not RAM. Read in id order (the file's order).
create table import_errors (
    id integer primary key autoincrement,
    import_id integer not null references imports (id) on delete cascade,
    row_number integer not null, -- as a spreadsheet counts: the header is row 1
    email text not null,
    field text not null,
    reason text not null
);
create index import_errors_by_import on import_errors (import_id, id);
