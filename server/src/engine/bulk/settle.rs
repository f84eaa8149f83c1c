//! A contact's staged rows with Salesforce's answers → its log row, or "send again". Pure.
//!
//! - Every row answered ok: a success (an upsert's action from `sf__Created`).
//! - A row refused with a transient code (`UNABLE_TO_LOCK_ROW`), or never processed because someone
//!   aborted the job, while sends remain: all of the contact's rows go again (an update by Id lands the
//!   same way twice, and an insert that failed or never ran made nothing).
//! - Otherwise the first failure is the contact's: Salesforce's code and message, or ours for a row in
//!   no result file — `BULK_JOB_FAILED` when the job failed as a whole, `NO_RESULT` when it completed
//!   without mentioning the row (its fate is unknown, so it is never sent again).

use crate::engine::decision::RunAction;
use crate::engine::hash::PushHash;
use crate::engine::outcome::ContactOutcome;
use crate::engine::writer::ATTEMPTS;
use crate::storage::runs::bulk::{Operation, StoredRow};

/// What the job ended as, as Salesforce said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEnd<'a> {
    pub job_id: &'a str,
    /// `JobComplete`, `Failed`, `Aborted` (or our `Failed` for a job refused before it ran).
    pub state: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    Outcome(ContactOutcome),
    Again,
}

fn transient(code: Option<&str>) -> bool {
    matches!(code, Some("UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE"))
}

/// Settles one contact from its rows (all of one job, in join-key order; never empty).
pub fn settle(rows: &[StoredRow], job: &JobEnd<'_>) -> Settled {
    let first = &rows[0];
    let operation = Operation::parse(&first.operation).unwrap_or(Operation::Insert);
    let sends_left = first.attempts + 1 < i64::from(ATTEMPTS);
    let unanswered = rows.iter().any(|r| r.ok.is_none());
    let again = rows
        .iter()
        .any(|r| r.ok == Some(false) && transient(r.error_code.as_deref()))
        || (unanswered && job.state == "Aborted");
    if again && sends_left {
        return Settled::Again;
    }
    let failure = rows
        .iter()
        .find(|r| r.ok == Some(false))
        .map(|r| {
            (
                r.error_code.clone().unwrap_or_else(|| "UNKNOWN".into()),
                r.message.clone().unwrap_or_default(),
            )
        })
        .or_else(|| unanswered.then(|| unanswered_failure(job)));
    let crm_ids: Vec<String> = match operation {
        Operation::Update => rows.iter().map(|r| r.join_key.clone()).collect(),
        _ => rows.iter().filter_map(|r| r.crm_id.clone()).collect(),
    };
    let created = rows.iter().any(|r| r.created == Some(true));
    let action = match operation {
        Operation::Insert | Operation::Deferred => RunAction::Insert,
        Operation::Update => RunAction::Update,
        // A refused upsert's action is unknown; as with Collections it counts as an update.
        Operation::Upsert => RunAction::of_upsert(failure.is_none() && created),
    };
    let (ok, error_code, message, hash) = match failure {
        None => (
            true,
            None,
            None,
            first.hash.clone().map(PushHash::from_stored),
        ),
        Some((code, message)) => (false, Some(code), Some(message), None),
    };
    Settled::Outcome(ContactOutcome {
        contact_id: first.contact_id,
        email: first.email.clone(),
        action,
        ok,
        crm_ids,
        error_code,
        message,
        hash,
    })
}

fn unanswered_failure(job: &JobEnd<'_>) -> (String, String) {
    match job.state {
        "Failed" => (
            "BULK_JOB_FAILED".into(),
            format!(
                "Salesforce's Bulk job {} failed before this row: {}",
                job.job_id,
                job.error.unwrap_or("no reason given")
            ),
        ),
        "Aborted" => (
            "BULK_JOB_ABORTED".into(),
            format!(
                "Salesforce's Bulk job {} was aborted before this row, on every try",
                job.job_id
            ),
        ),
        _ => (
            "NO_RESULT".into(),
            format!(
                "Salesforce's results for Bulk job {} do not mention this row; it may or may not have been \
                 written, so it is not sent again. The next run finds it by lookup if it was.",
                job.job_id
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(operation: &str, join_key: &str, ok: Option<bool>, code: Option<&str>) -> StoredRow {
        StoredRow {
            contact_id: 7,
            operation: operation.into(),
            join_key: join_key.into(),
            match_key: "ada@example.com".into(),
            email: "ada@example.com".into(),
            hash: Some("h".into()),
            payload: "{}".into(),
            attempts: 0,
            in_flight: false,
            ok,
            crm_id: ok.map(|_| "003A".into()),
            created: ok.map(|_| true),
            error_code: code.map(str::to_owned),
            message: code.map(|c| format!("{c} says no")),
        }
    }

    fn complete() -> JobEnd<'static> {
        JobEnd {
            job_id: "750A",
            state: "JobComplete",
            error: None,
        }
    }

    fn outcome(settled: Settled) -> ContactOutcome {
        match settled {
            Settled::Outcome(o) => o,
            Settled::Again => panic!("expected an outcome"),
        }
    }

    #[test]
    fn an_answered_insert_is_a_success_with_its_new_id_and_hash() {
        let o = outcome(settle(
            &[row("insert", "ada@example.com", Some(true), None)],
            &complete(),
        ));
        assert!(o.ok);
        assert_eq!(o.action, RunAction::Insert);
        assert_eq!(o.crm_ids, ["003A"]);
        assert_eq!(o.hash.as_ref().map(PushHash::as_str), Some("h"));
    }

    #[test]
    fn an_update_of_several_records_fails_if_one_does_and_names_them_all() {
        let rows = [
            row("update", "003A", Some(true), None),
            row(
                "update",
                "003B",
                Some(false),
                Some("FIELD_CUSTOM_VALIDATION_EXCEPTION"),
            ),
        ];
        let o = outcome(settle(&rows, &complete()));
        assert!(!o.ok);
        assert_eq!(o.crm_ids, ["003A", "003B"]);
        assert_eq!(
            o.error_code.as_deref(),
            Some("FIELD_CUSTOM_VALIDATION_EXCEPTION")
        );
        assert!(o.hash.is_none());
    }

    #[test]
    fn locked_rows_go_again_until_the_sends_run_out() {
        let mut locked = row("insert", "k", Some(false), Some("UNABLE_TO_LOCK_ROW"));
        assert_eq!(settle(&[locked.clone()], &complete()), Settled::Again);
        locked.attempts = i64::from(ATTEMPTS) - 1;
        let o = outcome(settle(&[locked], &complete()));
        assert_eq!(o.error_code.as_deref(), Some("UNABLE_TO_LOCK_ROW"));
    }

    #[test]
    fn rows_missing_from_the_results_are_never_sent_again_unless_the_job_was_aborted() {
        let missing = row("insert", "k", None, None);
        let o = outcome(settle(std::slice::from_ref(&missing), &complete()));
        assert_eq!(o.error_code.as_deref(), Some("NO_RESULT"));
        let failed = JobEnd {
            state: "Failed",
            error: Some("InvalidBatch : Field name not found : Foo"),
            ..complete()
        };
        let o = outcome(settle(std::slice::from_ref(&missing), &failed));
        assert_eq!(o.error_code.as_deref(), Some("BULK_JOB_FAILED"));
        assert!(o
            .message
            .unwrap_or_default()
            .contains("Field name not found"));
        let aborted = JobEnd {
            state: "Aborted",
            ..complete()
        };
        assert_eq!(settle(&[missing], &aborted), Settled::Again);
    }

    #[test]
    fn an_upsert_is_an_insert_or_an_update_as_salesforce_says() {
        let mut updated = row("upsert", "k", Some(true), None);
        updated.created = Some(false);
        assert_eq!(
            outcome(settle(&[updated], &complete())).action,
            RunAction::Update
        );
        let created = row("upsert", "k", Some(true), None);
        assert_eq!(
            outcome(settle(&[created], &complete())).action,
            RunAction::Insert
        );
    }
}
