-- What a Salesforce connection needs to connect, and what the Connected Apps page shows about it.
-- The client secret is stored only sealed (crypto.rs: XChaCha20-Poly1305, bound to workspace and row).
alter table crm_connections add column client_id text not null default '';
alter table crm_connections add column client_secret_sealed text not null default '';
-- 'connected' after a successful test, 'failing' after a failed one.
alter table crm_connections add column status text not null default 'connected';
alter table crm_connections add column last_tested_at bigint;
alter table crm_connections add column last_success_at bigint;
alter table crm_connections add column last_error text;
alter table crm_connections add column org_id text;
alter table crm_connections add column run_as_username text;
-- API usage from the last answer's Sforce-Limit-Info header: used / allowed in the rolling 24 hours.
alter table crm_connections add column api_used bigint;
alter table crm_connections add column api_allowed bigint;
alter table crm_connections add column updated_at bigint not null default 0;
