//! `checker notify-test`: one test message through every configured notifier
//! (one attempt each, all at once), and a line per notifier saying how it went.

use std::path::Path;
use std::process::ExitCode;

use checkup_model::Status;

use super::{CommandError, exit};
use crate::config;
use crate::notify::{Event, EventKind};

pub async fn notify_test(path: &Path) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    if config.notifiers.is_empty() {
        eprintln!(
            "error: {} has no [[notifiers]]; nothing to test",
            path.display()
        );
        return Ok(ExitCode::from(exit::BAD_CONFIG));
    }
    let event = Event {
        kind: EventKind::Test,
        check: "notify-test".into(),
        endpoint: String::new(),
        status: Status::Healthy,
        notice: String::new(),
        node: config.node.clone(),
        timestamp: crate::checks::now_nanos(),
        since: None,
        locations: Vec::new(),
        quorum: String::new(),
    };
    let outcomes =
        futures::future::join_all(config.notifiers.iter().map(|n| n.send_once(&event))).await;
    let width = config
        .notifiers
        .iter()
        .map(|n| n.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut failed = 0;
    for (notifier, outcome) in config.notifiers.iter().zip(&outcomes) {
        let line = match outcome {
            Ok(()) => format!(
                "ok      {:width$}  {}",
                notifier.name,
                notifier.channel.describe()
            ),
            Err(e) => {
                failed += 1;
                format!(
                    "FAILED  {:width$}  {}\n        {:width$}  {e}",
                    notifier.name,
                    notifier.channel.describe(),
                    ""
                )
            }
        };
        println!("{line}");
    }
    let total = outcomes.len();
    if failed == 0 {
        println!("{total} notifiers: all ok");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{total} notifiers: {} ok, {failed} failed", total - failed);
        Ok(ExitCode::from(exit::NOTIFY_FAILED))
    }
}
