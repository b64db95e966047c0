//! systemd integration for `checker run` under `Type=notify`: READY once the
//! config is loaded and storage is open, a STATUS line after each round,
//! WATCHDOG pings while the runtime is alive, and STOPPING on shutdown.
//! Outside systemd (no `NOTIFY_SOCKET`) every call does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

/// Tells systemd the service is up.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// A one-line status for `systemctl status`.
pub fn status(status: &str) {
    send(&[NotifyState::Status(status)]);
}

pub fn stopping() {
    send(&[
        NotifyState::Stopping,
        NotifyState::Status("finishing the round in flight, then stopping"),
    ]);
}

/// With `WatchdogSec=` set, pings at half the interval from a task of the
/// async runtime, so a wedged runtime gets the service restarted. Rounds
/// themselves are bounded by the checks' timeouts.
pub fn spawn_watchdog() {
    if let Some(interval) = sd_notify::watchdog_enabled() {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval((interval / 2).max(Duration::from_millis(100)));
            loop {
                tick.tick().await;
                send(&[NotifyState::Watchdog]);
            }
        });
    }
}

fn send(states: &[NotifyState]) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}
