//! Who this instance is across restarts, so a restarted server takes its own interrupted runs back at
//! once instead of waiting out their lease.
//!
//! A run's lease names its owner. With an owner id made afresh at every start, a server killed mid-run and
//! started again could not tell the run was its own, and waited for the lease to lapse like any other
//! instance would. So the owner id is kept in the data directory (`engine-instance`) and the file is
//! locked for as long as the process lives: holding the lock proves no other live process has this
//! identity, which is what makes it safe to take the runs it names back at start-up
//! ([`crate::storage::Storage::adopt_runs`]) — they can only be a dead process's. A second process on the
//! same data directory finds the file locked and runs under a fresh id, adopting nothing; an instance on a
//! fresh disk (a new container) has a new id and picks dead runs up when their short lease lapses.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The file in the data directory that holds the instance id.
const FILE: &str = "engine-instance";

/// This process's lease owner id, and whether it may adopt the runs leased to that id.
#[derive(Debug)]
pub struct Identity {
    pub owner: String,
    /// True when the id is this data directory's and its lock is held: runs leased to it are a dead
    /// process's.
    pub adopt: bool,
    /// Held open (and so locked) for the life of the process.
    _lock: Option<File>,
}

impl Identity {
    /// A fresh id that adopts nothing (the data directory's is in use, or cannot be had).
    fn fresh() -> Self {
        Self {
            owner: format!("engine-{}", uuid::Uuid::new_v4().simple()),
            adopt: false,
            _lock: None,
        }
    }

    /// The data directory's identity, or a fresh one (logged) when it cannot be had.
    pub fn of_data_dir(dir: &Path) -> Self {
        match locked_id(dir) {
            Ok(Some((id, file))) => Self {
                owner: format!("engine-{id}"),
                adopt: true,
                _lock: Some(file),
            },
            Ok(None) => {
                tracing::warn!(
                    dir = %dir.display(),
                    "another live process holds this data directory's engine identity; this one runs \
                     under a fresh id and leaves that one's runs alone"
                );
                Self::fresh()
            }
            Err(error) => {
                tracing::warn!(%error, dir = %dir.display(), "no engine identity file; using a fresh id");
                Self::fresh()
            }
        }
    }
}

/// Reads (or writes) the id and takes the file's lock; `None` when another process holds it.
fn locked_id(dir: &Path) -> std::io::Result<Option<(String, File)>> {
    std::fs::create_dir_all(dir)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(FILE))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    let mut id = String::new();
    file.read_to_string(&mut id)?;
    let id = id.trim().to_owned();
    if uuid::Uuid::parse_str(&id).is_ok() {
        return Ok(Some((id, file)));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(id.as_bytes())?;
    file.sync_all()?;
    Ok(Some((id, file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_survives_a_restart_and_only_one_live_process_holds_it() {
        let dir = tempfile::tempdir().expect("dir");
        let first = Identity::of_data_dir(dir.path());
        assert!(first.adopt);
        // Another process (here: another open file description) finds it locked.
        let second = Identity::of_data_dir(dir.path());
        assert!(!second.adopt);
        assert_ne!(second.owner, first.owner);
        let owner = first.owner.clone();
        drop(first);
        // Started again: the same id, and it may adopt.
        let again = Identity::of_data_dir(dir.path());
        assert!(again.adopt);
        assert_eq!(again.owner, owner);
    }
}
