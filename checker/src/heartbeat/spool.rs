//! Pings that storage refused, kept in `<state_dir>/ping-spool/` (written
//! atomically, like spooled rounds) until a later `checker ping` or the
//! running checker on the same host stores them. A ping carries the time it
//! was taken, so a late one is judged as of then; its key is unique, so a
//! replay that repeats a write that had in fact succeeded adds nothing.

use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic_file;
use crate::storage::{Storage, StorageError};

/// At most this many pings wait; beyond it the oldest go (logged).
const MAX_PINGS: usize = 10_000;

pub struct PingSpool {
    dir: PathBuf,
}

impl PingSpool {
    pub fn open(state_dir: &Path) -> Result<PingSpool, StorageError> {
        let dir = state_dir.join("ping-spool");
        fs::create_dir_all(&dir).map_err(atomic_file::io(
            "cannot create the ping spool directory",
            &dir,
        ))?;
        atomic_file::remove_orphaned_temp_files(&dir);
        Ok(PingSpool { dir })
    }

    /// Keeps the ping written to `key`; returns how many wait.
    pub fn push(&self, key: &str, bytes: &[u8]) -> Result<usize, StorageError> {
        atomic_file::write_atomic(&self.dir, &key.replace('/', "+"), bytes)?;
        let mut pending = self.pending();
        while pending.len() > MAX_PINGS {
            let (key, path) = pending.remove(0);
            if fs::remove_file(&path).is_ok() {
                tracing::warn!(key = %key, "ping spool is full; dropped the oldest ping");
            }
        }
        Ok(pending.len())
    }

    /// Spooled pings as (key, file), in name order.
    fn pending(&self) -> Vec<(String, PathBuf)> {
        let mut all: Vec<(String, PathBuf)> = fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        (!name.starts_with('.') && name.starts_with("pings+"))
                            .then(|| (name.replace('+', "/"), e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        all.sort();
        all
    }

    /// Stores what waits until storage fails; returns how many went.
    pub async fn replay(&self, storage: &dyn Storage) -> Result<usize, StorageError> {
        let mut stored = 0;
        for (key, path) in self.pending() {
            let Ok(bytes) = fs::read(&path) else { continue };
            storage.put(&key, bytes, "application/json").await?;
            let _ = fs::remove_file(&path);
            stored += 1;
        }
        Ok(stored)
    }
}
