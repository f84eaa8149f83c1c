//! At most a few password hashes at a time.
//!
//! Each Argon2 check takes 19 MiB and a core for tens of milliseconds. Unbounded, a flood of sign-ins runs
//! hundreds at once on the blocking pool: gigabytes of memory, and DNS lookups and imports that share the
//! pool stall behind them. The gate lets `concurrent` hashes run (about one per core) and a bounded line
//! wait for a turn; anyone beyond that line is told to come back ([`Busy`], answered as 429 with
//! `Retry-After`) before any work is done for them.

use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug)]
pub struct HashGate {
    running: Arc<Semaphore>,
    line: Arc<Semaphore>,
}

/// The gate's line is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

/// A turn to hash; the next in line goes when it is dropped.
#[derive(Debug)]
pub struct HashTurn {
    _running: OwnedSemaphorePermit,
    _place: OwnedSemaphorePermit,
}

impl HashGate {
    /// `concurrent` hashes at once, and up to `waiting` more waiting for a turn (a running hash keeps its
    /// place in line until it is done).
    pub fn new(concurrent: usize, waiting: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(concurrent.max(1))),
            line: Arc::new(Semaphore::new(concurrent.max(1) + waiting)),
        }
    }

    /// One hash per core, and a line sixteen times as long. A place in line costs a parked task, not a
    /// hash's memory; at ~40 ms per release-build hash the last in line waits well under a second.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self::new(cores, cores * 16)
    }

    /// Waits for a turn, or refuses at once when the line is full.
    ///
    /// # Errors
    /// [`Busy`] when `concurrent + waiting` callers already hold or wait for a turn.
    pub async fn turn(&self) -> Result<HashTurn, Busy> {
        let place = self.line.clone().try_acquire_owned().map_err(|_| Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Busy)?;
        Ok(HashTurn {
            _running: running,
            _place: place,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_line_is_bounded_and_moves_when_a_turn_ends() {
        let gate = Arc::new(HashGate::new(1, 1));
        let first = gate.turn().await.expect("first runs");
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.turn().await.map(|_| ()) }
        });
        // The waiter holds the one place in line once it is polled; give it that chance.
        while gate.line.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.turn().await.err(), Some(Busy), "a third is refused");
        drop(first);
        assert_eq!(
            waiting.await.expect("task"),
            Ok(()),
            "the waiter gets its turn"
        );
        assert!(gate.turn().await.is_ok(), "and the gate is free again");
    }
}
