//! `checker run`: a round every interval, stored, until asked to stop.
//! Rounds never overlap; a stop signal lets the round in flight finish and be
//! stored, then the process exits 0.

use std::path::Path;
use std::process::ExitCode;

use tokio::time::MissedTickBehavior;

use checkup_model::Status;

use super::CommandError;
use crate::cluster::Peers;
use crate::derived::Derived;
use crate::incidents;
use crate::messages::MessageReader;
use crate::notify::Notifications;
use crate::notify::claims::{self, Claims, Mode};
use crate::spool::Spool;
use crate::{config, round, storage, systemd};

/// How long sends still queued at shutdown may take.
const NOTIFY_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

pub async fn run(path: &Path) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    let metrics = crate::metrics::init(&config.node);
    metrics.start(
        &config
            .notifiers
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
    );
    let storage: std::sync::Arc<dyn crate::storage::Storage> = storage::open(&config.storage)
        .await
        .map_err(CommandError::storage("cannot open storage"))?
        .into();
    let mut spool = Spool::open(&config.state_dir.join("spool"))
        .map_err(CommandError::storage("cannot open the spool"))?;
    let ping_spool = crate::heartbeat::spool::PingSpool::open(&config.state_dir)
        .map_err(CommandError::storage("cannot open the ping spool"))?;
    let _listener = match config.listen {
        Some(address) => Some(start_listener(&config, address, &storage)?),
        None => None,
    };
    let mut derived = Derived::resume(storage.as_ref(), &config.node, config.interval).await;
    let mut published = crate::published::Published::new(config.site.clone());
    let waiting = spool.waiting();
    if waiting > 0 {
        tracing::info!(waiting, "rounds spooled by an earlier run wait for storage");
        spool.replay(storage.as_ref()).await;
    }
    let names: Vec<&str> = config
        .checks
        .iter()
        .map(|c| c.common.name.as_str())
        .collect();
    let peers = Peers::new(&config.node, config.interval, crate::checks::now_nanos());
    let claim_mode = if config.notifiers.is_empty() {
        Mode::Conditional
    } else {
        match claims::probe(storage.as_ref(), &config.node).await {
            Ok(Mode::Conditional) => Mode::Conditional,
            Ok(Mode::LowestNode) => {
                tracing::warn!(
                    "this storage ignores conditional writes (If-None-Match); with several nodes, the lowest-named fresh node sends each alert"
                );
                Mode::LowestNode
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot find out whether storage supports conditional writes; with several nodes, the lowest-named fresh node sends each alert");
                Mode::LowestNode
            }
        }
    };
    let mut notifications = Notifications::start(
        &config.notifiers,
        &names,
        &config.state_dir,
        &config.node,
        Claims::new(claim_mode, &config.node),
    );
    let mut messages = MessageReader::new(&config.state_dir);
    let mut open_windows: Vec<String> = Vec::new();
    tracing::info!(
        node = %config.node,
        checks = config.checks.len(),
        notifiers = config.notifiers.len(),
        maintenance_windows = config.maintenance.len(),
        interval = %humantime::format_duration(config.interval),
        storage = %storage.describe(),
        "checker started"
    );
    systemd::ready(&format!(
        "{} checks every {}",
        config.checks.len(),
        humantime::format_duration(config.interval)
    ));
    systemd::spawn_watchdog();
    let mut ticker = tokio::time::interval(config.interval);
    // A round that overruns its interval delays the next instead of bunching them.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = &mut stop => {
                systemd::stopping();
                break;
            }
        }
        let work = async {
            let began = std::time::Instant::now();
            if let Err(e) = ping_spool.replay(storage.as_ref()).await {
                metrics.storage_error("replay_pings");
                tracing::warn!(error = %e, "spooled pings wait for storage");
            }
            crate::heartbeat::book::refresh_all(storage.as_ref(), &config.checks).await;
            let mut round =
                round::run_round(&config.checks, config.concurrency, &config.node).await;
            log_windows(&config.maintenance, round.started, &mut open_windows);
            round::annotate(&mut round, &config.maintenance, messages.current());
            derived.add_round(round.started, &round.results);
            let stored = round::store_round(
                storage.as_ref(),
                &config.node,
                &round,
                config.storage.check_expiry,
            )
            .await;
            let note = match &stored {
                Ok(_) => {
                    spool.replay(storage.as_ref()).await;
                    metrics.spool_waiting(spool.waiting());
                    String::new()
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot store the round");
                    metrics.storage_error("store_round");
                    spool.note_failure();
                    keep_for_later(&spool, &round, &config.node)
                }
            };
            metrics.round(&round.results, began.elapsed());
            derived.set_extras(
                incidents::load(&config.state_dir),
                crate::maintenance::announce::announced(
                    &config.maintenance,
                    crate::checks::now_nanos(),
                ),
            );
            let seen = peers
                .exchange(
                    storage.as_ref(),
                    round.started,
                    &round.results,
                    Some(derived.view.tail()),
                    crate::checks::now_nanos(),
                )
                .await;
            if let Some(why) = &seen.alone_because {
                metrics.storage_error("exchange_state");
                tracing::warn!(error = %why, "cannot read the other nodes' state; alerting on this node's results alone");
            }
            let note = match &seen.second_writer {
                Some(other) => {
                    tracing::error!(
                        node = %config.node,
                        other_instance = %other,
                        "another checker is writing as node {:?}: its rounds and this one's mix in one history, so every figure for this location is wrong; give each checker its own `node` name (or stop the copy)",
                        config.node
                    );
                    format!("{note}; ANOTHER CHECKER WRITES AS NODE {}", config.node)
                }
                None => note,
            };
            derived.view.second_writer = seen.second_writer.is_some();
            notifications.observe(&round.results, &seen);
            notifications.send_claimed(storage.as_ref(), &seen).await;
            // The view and badges are caches: a failed write is retried by
            // the next round, which writes them whole again.
            match derived.publish(storage.as_ref()).await {
                Ok(Some(views)) => {
                    let now = crate::checks::now_nanos();
                    if let Err(e) = published.refresh(storage.as_ref(), &views, now).await {
                        metrics.storage_error("publish_feeds");
                        tracing::warn!(error = %e, "cannot write the feeds, calendar or status API; a later round tries again");
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    metrics.storage_error("publish_view");
                    tracing::warn!(error = %e, "cannot write the history view or badges; next round tries again")
                }
            }
            let count = |s: Status| round.results.iter().filter(|r| r.status == s).count();
            systemd::status(&format!(
                "last round: {} healthy, {} degraded, {} down{note}",
                count(Status::Healthy),
                count(Status::Degraded),
                count(Status::Down),
            ));
        };
        tokio::pin!(work);
        tokio::select! {
            _ = &mut work => {}
            _ = &mut stop => {
                systemd::stopping();
                tracing::info!("stop requested; finishing the round in flight");
                work.await;
                break;
            }
        }
    }
    notifications.shutdown(NOTIFY_GRACE).await;
    tracing::info!("checker stopped");
    Ok(ExitCode::SUCCESS)
}

/// Logs maintenance windows opening and closing.
fn log_windows(windows: &[crate::maintenance::Window], now: i64, open: &mut Vec<String>) {
    let now_open: Vec<String> = windows
        .iter()
        .filter(|w| w.open_at(now))
        .map(|w| w.name.clone())
        .collect();
    for name in now_open.iter().filter(|n| !open.contains(n)) {
        tracing::info!(window = %name, "maintenance window opened; alerts held");
    }
    for name in open.iter().filter(|n| !now_open.contains(n)) {
        tracing::info!(window = %name, "maintenance window closed");
    }
    *open = now_open;
}

/// Spools a round storage refused; says how it went, for the status line.
fn keep_for_later(spool: &Spool, round: &round::Round, node: &str) -> String {
    let name = round.file_name(node);
    let bytes = match storage::encode_round(&round.results) {
        Ok(bytes) => bytes,
        Err(e) => return format!("; NOT STORED: {e}"),
    };
    match spool.push(&name, &bytes) {
        Ok(waiting) => {
            if let Some(metrics) = crate::metrics::get() {
                metrics.spooled(waiting);
            }
            tracing::warn!(file = %name, waiting, "round spooled until storage answers");
            format!("; storage failing, {waiting} rounds spooled")
        }
        Err(e) => {
            tracing::error!(error = %e, file = %name, "cannot spool the round either: it is lost");
            "; NOT STORED (see the journal)".into()
        }
    }
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

/// Binds the ping listener and serves it until the returned guard drops.
fn start_listener(
    config: &config::Config,
    address: std::net::SocketAddr,
    storage: &std::sync::Arc<dyn crate::storage::Storage>,
) -> Result<tokio::task::JoinHandle<()>, CommandError> {
    use crate::listener::{Listener, Route};
    let routes: Vec<Route> = config
        .checks
        .iter()
        .filter_map(|c| c.ping_feed())
        .filter_map(|f| {
            Some(Route {
                token: f.token.clone()?,
                slug: f.slug.clone(),
            })
        })
        .collect();
    let spool = crate::heartbeat::spool::PingSpool::open(&config.state_dir)
        .map_err(CommandError::storage("cannot open the ping spool"))?;
    let socket = std::net::TcpListener::bind(address)
        .and_then(|s| s.set_nonblocking(true).map(|()| s))
        .and_then(tokio::net::TcpListener::from_std)
        .map_err(|e| CommandError::Usage(format!("cannot listen on {address} (listen): {e}")))?;
    tracing::info!(%address, heartbeats = routes.len(), "listening for /metrics and heartbeat pings");
    let listener =
        std::sync::Arc::new(Listener::new(routes, std::sync::Arc::clone(storage), spool));
    Ok(tokio::spawn(listener.serve(socket)))
}
