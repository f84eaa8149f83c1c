//! Where a run's time goes: its wall time split into phases, logged when the run ends ("run time by
//! phase") for operators and read by the push bench.
//!
//! A stretch of time belongs to the phase named when it *ends*: the run calls [`Clock::lap`] after each
//! step, so the laps cover the run with no gap and no overlap, and the small bookkeeping between steps
//! (lease renewals, counts of what waits) falls to the step that follows it. A resumed run counts from
//! its resumption only.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A step of a run, in the order a Bulk run meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Load the sync, reach the org, describe, count, check the API budget.
    Start,
    /// Read a page of selected contacts (with their last push hashes) from the store.
    Read,
    /// Map, check and hash contacts; decide against the lookup's records.
    Prepare,
    /// Find existing records by match key: SOQL `IN` lookups, or reads of the run's index.
    Lookup,
    /// Load every record with a match value into the run's index (one Bulk query job).
    Index,
    /// Stage a batch's writes (Bulk runs): which keys are taken, the rows to send.
    Stage,
    /// Record a batch: log rows, states, counters and cursor in one transaction.
    Record,
    /// Spool a Bulk ingest job's CSV from the staged rows, create, upload and close the job.
    Upload,
    /// Wait for Bulk jobs to finish in the CRM (pauses between polls, and the polls).
    Wait,
    /// Download a finished job's result files and store each row's answer (`push_answers`).
    Answer,
    /// Read a page of a job's staged rows with their answers and settle each contact (its record is
    /// [`Phase::Record`]).
    Join,
    /// Write through sObject Collections.
    Send,
}

impl Phase {
    const ALL: [Phase; 12] = [
        Phase::Start,
        Phase::Read,
        Phase::Prepare,
        Phase::Lookup,
        Phase::Index,
        Phase::Stage,
        Phase::Record,
        Phase::Upload,
        Phase::Wait,
        Phase::Answer,
        Phase::Join,
        Phase::Send,
    ];

    fn name(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Read => "read",
            Phase::Prepare => "prepare",
            Phase::Lookup => "lookup",
            Phase::Index => "index",
            Phase::Stage => "stage",
            Phase::Record => "record",
            Phase::Upload => "upload",
            Phase::Wait => "wait",
            Phase::Answer => "answer",
            Phase::Join => "join",
            Phase::Send => "send",
        }
    }

    fn slot(self) -> usize {
        Phase::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug)]
struct Laps {
    last: Instant,
    spent: [Duration; Phase::ALL.len()],
}

/// A run's wall clock, shared by its steps (a run is one task, so the lock is never contended).
#[derive(Debug)]
pub struct Clock {
    laps: Mutex<Laps>,
}

impl Clock {
    pub fn start() -> Self {
        Self::started_at(Instant::now())
    }

    fn started_at(now: Instant) -> Self {
        Clock {
            laps: Mutex::new(Laps {
                last: now,
                spent: [Duration::ZERO; Phase::ALL.len()],
            }),
        }
    }

    /// Counts the time since the previous lap as `phase`'s.
    pub fn lap(&self, phase: Phase) {
        self.lap_at(phase, Instant::now());
    }

    fn lap_at(&self, phase: Phase, now: Instant) {
        let mut laps = self
            .laps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stretch = now.saturating_duration_since(laps.last);
        laps.spent[phase.slot()] += stretch;
        laps.last = now;
    }

    /// Time counted so far per phase, in [`Phase`] order.
    pub fn spent(&self) -> Vec<(Phase, Duration)> {
        let laps = self
            .laps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Phase::ALL
            .iter()
            .map(|p| (*p, laps.spent[p.slot()]))
            .collect()
    }

    /// Logs the phases of run `run_id` (called once, when the run ends here).
    pub fn report(&self, run_id: i64) {
        tracing::info!(run_id, phases = %self, "run time by phase");
    }
}

/// `read 1.20 s · prepare 0.40 s · …`: the phases that took any time, in order.
impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (phase, spent) in self.spent() {
            if spent.is_zero() {
                continue;
            }
            if !first {
                f.write_str(" · ")?;
            }
            first = false;
            write!(f, "{} {:.2} s", phase.name(), spent.as_secs_f64())?;
        }
        if first {
            f.write_str("nothing timed")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stretch_goes_to_the_phase_that_ends_it() {
        let t0 = Instant::now();
        let clock = Clock::started_at(t0);
        clock.lap_at(Phase::Start, t0 + Duration::from_millis(300));
        clock.lap_at(Phase::Read, t0 + Duration::from_millis(1_300));
        clock.lap_at(Phase::Prepare, t0 + Duration::from_millis(1_500));
        clock.lap_at(Phase::Read, t0 + Duration::from_millis(3_500));
        let spent: Vec<(Phase, u128)> = clock
            .spent()
            .into_iter()
            .filter(|(_, d)| !d.is_zero())
            .map(|(p, d)| (p, d.as_millis()))
            .collect();
        assert_eq!(
            spent,
            [
                (Phase::Start, 300),
                (Phase::Read, 3_000),
                (Phase::Prepare, 200)
            ]
        );
        assert_eq!(
            clock.to_string(),
            "start 0.30 s · read 3.00 s · prepare 0.20 s"
        );
    }

    #[test]
    fn a_clock_that_timed_nothing_says_so() {
        assert_eq!(Clock::start().to_string(), "nothing timed");
    }
}
