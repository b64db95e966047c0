//! `checker check`: one round, printed as a table, optionally stored.

use std::path::Path;
use std::process::ExitCode;

use checkup_model::Status;

use super::{CommandError, exit};
use crate::{config, report, round, storage};

pub async fn check(path: &Path, store: bool) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    // Open storage before checking, so a storage problem shows before any
    // wait. Heartbeat checks read their pings from it.
    let heartbeats = config.checks.iter().any(|c| c.ping_feed().is_some());
    let storage = if store || heartbeats {
        Some(
            storage::open(&config.storage)
                .await
                .map_err(CommandError::storage("cannot open storage"))?,
        )
    } else {
        None
    };
    if let Some(storage) = &storage {
        crate::heartbeat::book::refresh_all(storage.as_ref(), &config.checks).await;
    }
    let mut round = round::run_round(&config.checks, config.concurrency, &config.node).await;
    let messages = crate::messages::load(&config.state_dir).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read status messages");
        Default::default()
    });
    round::annotate(&mut round, &config.maintenance, &messages);
    print!("{}", report::render(&round, report::stdout_wants_color()));
    if let Some(storage) = storage.filter(|_| store) {
        let written = round::store_round(
            storage.as_ref(),
            &config.node,
            &round,
            config.storage.check_expiry,
        )
        .await
        .map_err(CommandError::storage(format!(
            "cannot store the round in {}",
            storage.describe()
        )))?;
        println!("stored {written}");
    }
    let all_healthy = round.results.iter().all(|r| r.status == Status::Healthy);
    Ok(if all_healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::NOT_HEALTHY)
    })
}
