//! Steps 1–2 of a run: load the configuration it was queued with, reach the org, check the sync still
//! fits it, count, and apply the API budget.

use super::budget::{estimate_calls, refuse_for_budget};
use super::{End, Ready};
use crate::engine::bulk::rule;
use crate::engine::clock::{Clock, Phase};
use crate::engine::failure::{classify, halt_of, Failure};
use crate::engine::plan::{Planner, Strategy};
use crate::engine::worker::Engine;
use crate::org_cache::OrgError;
use crate::storage::contacts::matching::Selection;
use crate::storage::runs::lease::{ClaimedRun, LeaseCheck};
use crate::storage::{StorageError, WorkspaceId};
use shared::contact::fields::FieldCatalog;
use shared::sync::run::RunStatus;

/// Steps 1–2: configuration, org, checks, counts, budget. `Err` is how the run ends without pushing.
pub(super) async fn start(
    engine: &Engine,
    claimed: &ClaimedRun,
) -> Result<Result<Ready, End>, StorageError> {
    let clock = Clock::start();
    let storage = engine.storage();
    let workspace: WorkspaceId = claimed.workspace();
    let failed = |message: String| Ok(Err(End::Done(RunStatus::Failed, Some(message))));
    let sync = storage.find_sync(workspace, claimed.sync_id).await?;
    let config = if sync.summary.config_version == claimed.config_version {
        sync.config
    } else {
        storage
            .sync_config_version(claimed.sync_id, claimed.config_version)
            .await?
    };
    let org = match engine
        .orgs()
        .get(workspace, sync.summary.connection_id)
        .await
    {
        Ok(org) => org,
        Err(OrgError::Storage(e)) => return Err(e),
        Err(OrgError::Salesforce(e)) => return Ok(Err(halt_of(&e).into())),
        Err(other) => return failed(format!("The Salesforce connection cannot be used: {other}")),
    };
    let describe = match org
        .describes
        .get(&org.client, config.object.api_name())
        .await
    {
        Ok(describe) => describe,
        Err(e) => return Ok(Err(halt_of(&e).into())),
    };
    if let Some(end) =
        crate::engine::bulk::leftover::wait_for_leftovers(engine, claimed, &org).await?
    {
        return Ok(Err(end));
    }
    let properties = storage.list_contact_properties(workspace).await?;
    let catalog = FieldCatalog::new(&properties);
    // A retry goes after contacts that failed; a stored hash must not call them unchanged (a full resync
    // whose update failed keeps the hash of an earlier success).
    let full_resync = claimed.full_resync || claimed.retry_of.is_some();
    let planner = match Planner::new(&config, &catalog, &describe.fields, full_resync) {
        Ok(planner) => planner,
        Err(e) => return failed(format!("Not started: {e}")),
    };
    let rules = match config.filter.check(&catalog) {
        Ok(rules) => rules,
        Err((i, e)) => return failed(format!("Not started: filter rule {}: {e}", i + 1)),
    };
    // The selection is read page by page next; PostgreSQL must not plan those pages blind.
    storage.refresh_stale_statistics().await?;
    let komo_total = storage.count_contacts(workspace).await?;
    let selection = Selection {
        rules: &rules,
        combine: config.filter.combine,
        retry_of: claimed.retry_of,
    };
    let selected = storage
        .count_selected_contacts(workspace, claimed.sync_id, &selection)
        .await?;
    let count = format!("SELECT COUNT() FROM {}", planner.object());
    let crm_total = match org.client.count(&count).await {
        Ok(n) => i64::try_from(n).ok(),
        Err(e) => return Ok(Err(halt_of(&e).into())),
    };

    let reserve = engine.settings().api_reserve_percent;
    if reserve > 0 && claimed.cursor_contact_id == 0 {
        let usage = match org.client.limits().await {
            Ok(usage) => Some(usage),
            Err(e) => match classify(&e) {
                Failure::Halt(halt) => return Ok(Err(halt.into())),
                // The run-as user may not read /limits ("View Setup and Configuration"): go by the last
                // Sforce-Limit-Info header instead, if any.
                Failure::Records { .. } => org.client.api_usage(),
            },
        };
        let looks_up = matches!(planner.strategy(), Strategy::Lookup { .. });
        let settings = engine.settings();
        let selected = u64::try_from(selected).unwrap_or(0);
        let estimate = if rule::bulk_run(selected, settings.bulk_threshold) {
            rule::estimate_bulk_calls(
                selected,
                crm_total.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                settings.bulk_job_bytes,
            )
        } else {
            estimate_calls(selected, u64::from(settings.batch_size), looks_up)
        };
        if let Some(message) = usage.and_then(|u| refuse_for_budget(u, estimate, reserve)) {
            return failed(message);
        }
    }
    match storage
        .set_run_totals(claimed.id, engine.owner(), komo_total, selected, crm_total)
        .await?
    {
        LeaseCheck::Lost => return Ok(Err(End::LostLease)),
        LeaseCheck::Held { .. } => {}
    }
    clock.lap(Phase::Start);
    Ok(Ok(Ready {
        org,
        planner,
        rules,
        combine: config.filter.combine,
        retry_of: claimed.retry_of,
        selected,
        crm_total,
        clock,
    }))
}
