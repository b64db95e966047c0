//! The spool: rounds that storage refused, kept durably in the state directory
//! until storage answers again, then replayed oldest first.
//!
//! A round counts as done once it is stored or spooled, and a spooled file is
//! written like a stored one (temp file, fsync, rename, fsync of the
//! directory), so neither a storage outage nor a crash loses it. Replaying
//! writes the same name again, which replaces rather than duplicates, so a
//! write that succeeded but whose answer was lost is harmless.
//!
//! Bound: at most [`MAX_ROUNDS`] rounds or [`MAX_BYTES`] bytes. Beyond that
//! the oldest spooled rounds are dropped (and logged): during a long outage
//! the most recent history is the most useful, and the disk must not fill.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use checkup_model::ResultFileName;

use crate::atomic_file;
use crate::storage::{Storage, StorageError};

pub const MAX_ROUNDS: usize = 10_000;
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Replayed per call (per round), so a long backlog drains over a few rounds
/// instead of holding up checking.
const REPLAY_BATCH: usize = 500;

pub struct Spool {
    dir: PathBuf,
    /// No replay before this (after a failed one).
    next_try: Instant,
    backoff: Duration,
}

impl Spool {
    /// Opens (creating) the spool directory; rounds left by an earlier run wait there.
    pub fn open(dir: &Path) -> Result<Spool, StorageError> {
        fs::create_dir_all(dir).map_err(atomic_file::io("cannot create spool directory", dir))?;
        atomic_file::remove_orphaned_temp_files(dir);
        Ok(Spool {
            dir: dir.to_path_buf(),
            next_try: Instant::now(),
            backoff: FIRST_BACKOFF,
        })
    }

    /// Spooled rounds, oldest first.
    pub fn pending(&self) -> Vec<(ResultFileName, PathBuf)> {
        let mut rounds: Vec<(ResultFileName, PathBuf)> = fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        Some((ResultFileName::parse(&name).ok()?, e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        rounds.sort();
        rounds
    }

    /// Keeps a round durably; then trims the spool to its bound. Returns how
    /// many rounds wait.
    pub fn push(&self, name: &ResultFileName, bytes: &[u8]) -> Result<usize, StorageError> {
        atomic_file::write_atomic(&self.dir, &name.to_string(), bytes)?;
        let mut pending = self.pending();
        let mut total: u64 = pending
            .iter()
            .filter_map(|(_, p)| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let mut dropped = 0;
        while pending.len() > 1 && (pending.len() > MAX_ROUNDS || total > MAX_BYTES) {
            let (oldest, path) = pending.remove(0);
            total -= fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if fs::remove_file(&path).is_ok() {
                dropped += 1;
                tracing::warn!(file = %oldest, "spool is full; dropped the oldest spooled round");
            }
        }
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "spool bound reached ({MAX_ROUNDS} rounds or {MAX_BYTES} bytes)"
            );
        }
        Ok(pending.len())
    }

    /// Replays spooled rounds oldest first until one fails; after a failure
    /// waits (doubling, up to 5 minutes) before trying again. Returns how many
    /// were stored.
    pub async fn replay(&mut self, storage: &dyn Storage) -> usize {
        if Instant::now() < self.next_try {
            return 0;
        }
        let mut replayed = 0;
        for (name, path) in self.pending().into_iter().take(REPLAY_BATCH) {
            let Ok(bytes) = fs::read(&path) else { continue };
            match storage.store(&name, bytes).await {
                Ok(written) => {
                    // Removed only after the store succeeded: a crash in between
                    // means one harmless rewrite of the same name.
                    let _ = fs::remove_file(&path);
                    replayed += 1;
                    tracing::info!(file = %written, "spooled round stored");
                }
                Err(e) => {
                    self.next_try = Instant::now() + self.backoff;
                    tracing::warn!(error = %e, retry_in = ?self.backoff, "storage still failing; spooled rounds wait");
                    self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                    return replayed;
                }
            }
        }
        self.backoff = FIRST_BACKOFF;
        replayed
    }

    /// Storage failed just now: hold replays back for the current backoff.
    pub fn note_failure(&mut self) {
        if Instant::now() >= self.next_try {
            self.next_try = Instant::now() + self.backoff;
            self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// How many rounds wait to be stored.
    pub fn waiting(&self) -> usize {
        self.pending().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use std::sync::Mutex;

    /// Storage that fails while `down` and records what it stored.
    struct Flaky {
        down: Mutex<bool>,
        stored: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Storage for Flaky {
        fn describe(&self) -> String {
            "flaky".into()
        }
        async fn store(
            &self,
            name: &ResultFileName,
            _bytes: Vec<u8>,
        ) -> Result<String, StorageError> {
            if *self.down.lock().unwrap() {
                return Err(StorageError::Remote {
                    action: "cannot write",
                    bucket: "b".into(),
                    key: name.to_string(),
                    message: "down".into(),
                });
            }
            self.stored.lock().unwrap().push(name.to_string());
            Ok(name.to_string())
        }
        async fn prune(&self, _node: &str, _cutoff: i64) -> Result<usize, StorageError> {
            Ok(0)
        }
        async fn put(&self, key: &str, _: Vec<u8>, _: &str) -> Result<String, StorageError> {
            Ok(key.to_string())
        }
        async fn put_new(
            &self,
            _key: &str,
            _: Vec<u8>,
        ) -> Result<crate::storage::Created, StorageError> {
            Ok(crate::storage::Created::Yes)
        }
        async fn get(&self, _key: &str) -> Result<Option<Vec<u8>>, StorageError> {
            Ok(None)
        }
        async fn list(&self, _dir: &str, _after: &str) -> Result<Vec<String>, StorageError> {
            Ok(Vec::new())
        }
        async fn delete(&self, _key: &str) -> Result<(), StorageError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn spooled_rounds_replay_in_order_once_storage_answers() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path()).unwrap();
        for ts in [3, 1, 2] {
            spool
                .push(&ResultFileName::new(ts, "n").unwrap(), b"[]")
                .unwrap();
        }
        let storage = Flaky {
            down: Mutex::new(true),
            stored: Mutex::new(Vec::new()),
        };
        assert_eq!(spool.replay(&storage).await, 0);
        assert_eq!(spool.waiting(), 3, "nothing lost while storage is down");
        *storage.down.lock().unwrap() = false;
        assert_eq!(
            spool.replay(&storage).await,
            0,
            "backing off after the failure"
        );
        spool.next_try = Instant::now();
        assert_eq!(spool.replay(&storage).await, 3);
        assert_eq!(
            *storage.stored.lock().unwrap(),
            ["1-n-check.json", "2-n-check.json", "3-n-check.json"]
        );
        assert_eq!(spool.waiting(), 0);
        // A new Spool on the same directory (a restart) sees what was left.
        spool
            .push(&ResultFileName::new(4, "n").unwrap(), b"[]")
            .unwrap();
        assert_eq!(Spool::open(dir.path()).unwrap().waiting(), 1);
    }

    #[test]
    fn the_spool_keeps_the_newest_rounds_within_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let big = vec![b' '; (MAX_BYTES / 3 + 1) as usize];
        for ts in 1..=4 {
            spool
                .push(&ResultFileName::new(ts, "n").unwrap(), &big)
                .unwrap();
        }
        let left: Vec<i64> = spool
            .pending()
            .into_iter()
            .map(|(n, _)| n.timestamp)
            .collect();
        assert_eq!(left, [3, 4], "oldest dropped first");
    }
}
