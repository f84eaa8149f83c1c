-- Access that can be taken away (issue #16).
--
-- A disabled user cannot sign in, and every session they hold stops working at its next request: the
-- session is checked against this row on every request, not only at sign-in.
alter table users add column disabled_at integer; -- unix seconds; null while the user may sign in
-- A session records the epoch it was started in; bumping the epoch ("sign out everywhere", a password
-- change, disabling) makes every older session worthless at once, on every instance.
alter table users add column session_epoch integer not null default 0;
-- Set when a super user chose the password: the user must pick their own before doing anything else.
alter table users add column must_change_password boolean not null default false;

-- Sign-in throttling per subject: an email ('email:…') or a client address ('address:…'). An attempt is
-- counted before its password is checked, in one statement, so a burst of parallel attempts cannot all
-- slip past the lock; failures older than the quiet period are forgotten.
drop table sign_in_failures;
create table sign_in_throttle (
    subject text primary key,
    failures integer not null,
    locked_until integer not null, -- unix seconds; 0 when not locked
    last_attempt_at integer not null
);

-- An API token may expire (unix seconds; null: never). An expired token is refused like a revoked one.
alter table api_tokens add column expires_at integer;
