//! One round: every check run once, at most `concurrency` at a time, results
//! in config order. This is where checks and storage meet, through the model.

use std::sync::Arc;
use std::time::{Duration, Instant};

use checkup_model::{CheckResult, ResultFileName};
use tokio::sync::Semaphore;

use crate::checks::{Check, now_nanos};
use crate::storage::{Storage, StorageError};

/// The results of one round from one node.
pub struct Round {
    /// When the round started, Unix ns; the file name's timestamp.
    pub started: i64,
    pub took: Duration,
    pub results: Vec<CheckResult>,
}

impl Round {
    /// The name this round is stored under by `node`.
    pub fn file_name(&self, node: &str) -> ResultFileName {
        ResultFileName::new(self.started, node).expect("node name validated with the config")
    }
}

/// Runs every check once. Each check is its own task, so a slow one holds only
/// its own slot, and the CPU work of many (TLS handshakes) spreads over cores.
pub async fn run_round(checks: &[Arc<Check>], concurrency: usize, node: &str) -> Round {
    let started = now_nanos();
    let clock = Instant::now();
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let tasks: Vec<_> = checks
        .iter()
        .map(|check| {
            let (check, slots) = (Arc::clone(check), Arc::clone(&slots));
            tokio::spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed");
                check.run().await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        let mut result = task.await.expect("a check task panicked");
        result.node = Some(node.to_string());
        let notice = (!result.notice.is_empty()).then_some(result.notice.as_str());
        tracing::info!(check = %result.title, status = %result.status, notice, "checked");
        results.push(result);
    }
    Round {
        started,
        took: clock.elapsed(),
        results,
    }
}

/// Marks results taken in a maintenance window (`maintenance: true`) and
/// attaches each check's status message, if one is set.
pub fn annotate(
    round: &mut Round,
    windows: &[crate::maintenance::Window],
    messages: &crate::messages::Messages,
) {
    for result in &mut round.results {
        if crate::maintenance::in_maintenance(windows, &result.title, round.started) {
            result.maintenance = true;
        }
        if let Some(text) = messages.get(&result.title) {
            result.message = text.clone();
        }
    }
}

/// Writes the round as one file, then applies retention if configured.
/// Retention trouble is logged, never fatal: the round itself is stored.
pub async fn store_round(
    storage: &dyn Storage,
    node: &str,
    round: &Round,
    check_expiry: Option<Duration>,
) -> Result<String, StorageError> {
    let name =
        ResultFileName::new(round.started, node).expect("node name validated with the config");
    let written = storage
        .store(&name, crate::storage::encode_round(&round.results)?)
        .await?;
    tracing::info!(file = %written, checks = round.results.len(), "round stored");
    if let Some(expiry) = check_expiry {
        let cutoff = now_nanos().saturating_sub(crate::checks::duration_nanos(expiry));
        match storage.prune(node, cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "retention removed old result files"),
            Err(e) => tracing::warn!(error = %e, "retention failed; will try again next round"),
        }
    }
    Ok(written)
}
