//! `checker run`: a round every interval, stored, until asked to stop.
//! Rounds never overlap; a stop signal lets the round in flight finish and be
//! stored, then the process exits 0.

use std::path::Path;
use std::process::ExitCode;

use tokio::time::MissedTickBehavior;

use crate::{config, round, storage};

pub async fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let config = config::load(path)?;
    let storage = storage::open(&config.storage).await?;
    tracing::info!(
        node = %config.node,
        checks = config.checks.len(),
        interval = %humantime::format_duration(config.interval),
        storage = %storage.describe(),
        "checker started"
    );
    let mut ticker = tokio::time::interval(config.interval);
    // A round that overruns its interval delays the next instead of bunching them.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = &mut stop => break,
        }
        let work = async {
            let round = round::run_round(&config.checks, config.concurrency, &config.node).await;
            if let Err(e) = round::store_round(
                storage.as_ref(),
                &config.node,
                &round,
                config.storage.check_expiry,
            )
            .await
            {
                tracing::error!(error = %e, "cannot store the round");
            }
        };
        tokio::pin!(work);
        tokio::select! {
            _ = &mut work => {}
            _ = &mut stop => {
                tracing::info!("stop requested; finishing the round in flight");
                work.await;
                break;
            }
        }
    }
    tracing::info!("checker stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (systemd, kill).
async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("cannot install a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
