//! Reading pings from storage: before each round, one listing of the
//! check's `pings/<slug>/` and one read of each ping not read before. A key
//! is read once per process, so a ping counts once however often it is
//! listed; one replayed late (an older name) is still found, because the
//! whole directory is listed. Only the newest [`KEEP`] pings stay: older
//! ones are deleted by whichever node sees them first.

use std::collections::BTreeSet;

use super::{Latest, PINGS_DIR, Ping, PingFeed};
use crate::storage::{Storage, StorageError};

/// Pings kept per check; more than [`KEEP`] + [`SLACK`] are trimmed.
pub const KEEP: usize = 50;
const SLACK: usize = 10;

/// What a process has read of one check's pings.
#[derive(Debug, Default)]
pub struct Seen {
    pub latest: Latest,
    read: BTreeSet<String>,
}

/// Brings every heartbeat check among `checks` up to date; a failure is
/// logged, and the check is judged on what was read before.
pub async fn refresh_all(storage: &dyn Storage, checks: &[std::sync::Arc<crate::checks::Check>]) {
    for check in checks {
        let Some(feed) = check.ping_feed() else {
            continue;
        };
        if let Err(e) = refresh(storage, &feed).await {
            tracing::warn!(check = %check.common.name, error = %e, "cannot read the check's pings");
        }
    }
}

/// Brings `feed` up to date with storage. A ping that cannot be read as one
/// is skipped with a warning naming its key (and not read again).
pub async fn refresh(storage: &dyn Storage, feed: &PingFeed) -> Result<usize, StorageError> {
    let dir = format!("{PINGS_DIR}{}/", feed.slug);
    let names = storage.list(&dir, "").await?;
    let unread: Vec<String> = {
        let seen = feed.state.lock().expect("ping state");
        names
            .iter()
            .filter(|n| n.ends_with(".json") && !seen.read.contains(*n))
            .cloned()
            .collect()
    };
    let mut new = 0;
    for name in unread {
        let key = format!("{dir}{name}");
        let ping = match storage.get(&key).await? {
            Some(bytes) => match serde_json::from_slice::<Ping>(&bytes) {
                Ok(ping) => Some(ping),
                Err(e) => {
                    tracing::warn!(key = %key, error = %e, "not a ping; skipped");
                    None
                }
            },
            // Trimmed by another node between the listing and the read.
            None => None,
        };
        let mut seen = feed.state.lock().expect("ping state");
        seen.read.insert(name);
        if let Some(ping) = ping {
            seen.latest.absorb(ping);
            new += 1;
        }
    }
    if names.len() > KEEP + SLACK {
        // Names sort by time: the oldest come first. What is read stays in
        // `latest`; the names go from memory once gone from storage.
        for name in &names[..names.len() - KEEP] {
            if let Err(e) = storage.delete(&format!("{dir}{name}")).await {
                tracing::warn!(error = %e, "cannot trim old pings; will try again");
                break;
            }
            feed.state.lock().expect("ping state").read.remove(name);
        }
    }
    Ok(new)
}
