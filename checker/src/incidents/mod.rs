//! This node's incident updates: each is stored as its own immutable file
//! (`incidents/<unix_nanos>-<node>-incident.json`, the source of truth that
//! `checker rebuild` reads) and recorded in the state directory, where the
//! running checker picks it up for its view without listing storage.

use std::path::Path;

use checkup_model::IncidentUpdate;

pub mod markdown;

use crate::atomic_file::{io as io_error, write_atomic};
use crate::storage::{Storage, StorageError};

const FILE: &str = "incidents.json";
const DIR: &str = "incidents/";

/// The updates recorded in the state directory, oldest first. A damaged file
/// is reported and read as empty: the stored files still hold every update.
pub fn load(state_dir: &Path) -> Vec<IncidentUpdate> {
    let path = state_dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot read incident updates");
            return Vec::new();
        }
    };
    match serde_json::from_str::<Vec<IncidentUpdate>>(&text) {
        Ok(mut updates) => {
            updates.sort_by_key(|u| u.timestamp);
            updates
        }
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "incident updates are damaged; `checker rebuild` restores them from storage");
            Vec::new()
        }
    }
}

/// Stores `update` as its own file, then records it in the state directory.
/// Storage first: an update that storage refused is not shown as if it were.
pub async fn publish(
    storage: &dyn Storage,
    state_dir: &Path,
    update: &IncidentUpdate,
) -> Result<String, StorageError> {
    let mut bytes = serde_json::to_vec_pretty(update)?;
    bytes.push(b'\n');
    let written = storage
        .put(&update.key(), bytes, "application/json")
        .await?;
    let mut updates = load(state_dir);
    updates.push(update.clone());
    replace(state_dir, &updates)?;
    Ok(written)
}

/// Records exactly `updates` in the state directory (after a rebuild).
pub fn replace(state_dir: &Path, updates: &[IncidentUpdate]) -> Result<(), StorageError> {
    let mut updates = updates.to_vec();
    updates.sort_by_key(|u| u.timestamp);
    std::fs::create_dir_all(state_dir)
        .map_err(io_error("cannot create state directory", state_dir))?;
    let mut json = serde_json::to_vec_pretty(&updates)?;
    json.push(b'\n');
    Ok(write_atomic(state_dir, FILE, &json)?)
}

/// This node's updates as stored, oldest first (for `checker rebuild`).
pub async fn from_storage(
    storage: &dyn Storage,
    node: &str,
) -> Result<Vec<IncidentUpdate>, StorageError> {
    let suffix = format!("-{node}-incident.json");
    let mut updates = Vec::new();
    for name in storage.list(DIR, "").await? {
        if !name.ends_with(&suffix) {
            continue;
        }
        let key = format!("{DIR}{name}");
        let Some(bytes) = storage.get(&key).await? else {
            continue;
        };
        match serde_json::from_slice::<IncidentUpdate>(&bytes) {
            Ok(update) if update.node == node => updates.push(update),
            Ok(_) => tracing::warn!(file = %key, "incident update names another node; skipped"),
            Err(e) => {
                tracing::warn!(file = %key, error = %e, "unreadable incident update; skipped")
            }
        }
    }
    updates.sort_by_key(|u| u.timestamp);
    Ok(updates)
}
