//! Fills the demo's storage with 90 days of sample history for the checks
//! of its config, as the demo's node, so a newcomer's page shows bars,
//! uptimes, an incident and charts at once; the live checker then carries
//! the history on. `scripts/demo` runs it once, before the first round.
//!
//! ```text
//! cargo run --release -p checker --example demo_history -- CONFIG [DAYS]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use checker::sample::{SampleCheck, Spec, generate_into};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(config_path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: demo_history CONFIG [DAYS]");
        return ExitCode::from(2);
    };
    let days: i64 = match args.next().map(|d| d.parse()) {
        None => 90,
        Some(Ok(days)) if days > 0 => days,
        Some(_) => {
            eprintln!("DAYS must be a whole number of days, like 90");
            return ExitCode::from(2);
        }
    };
    let config = match checker::config::load(&config_path) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let storage = match checker::storage::open(&config.storage).await {
        Ok(storage) => storage,
        Err(e) => {
            eprintln!("cannot open the demo's storage: {e}");
            return ExitCode::from(1);
        }
    };
    let mut spec = Spec::new(std::path::Path::new(""));
    spec.days = days;
    // Five-minute rounds: enough for the charts, small enough to write fast.
    spec.interval = 300;
    spec.raw_hours = 0;
    spec.node_names = vec![config.node.clone()];
    spec.check_list = config
        .checks
        .iter()
        .map(|check| SampleCheck {
            title: check.common.name.clone(),
            endpoint: check.endpoint(),
            kind: check.kind.to_string(),
            // The demo's checks of nothing that exists are down in the past too.
            always_down: demo_down_on_purpose(&check.endpoint()),
        })
        .collect();
    match generate_into(&spec, storage.as_ref()).await {
        Ok(history) => {
            println!(
                "sample history: {days} days of 5-minute rounds for {} checks as node {:?} ({} view bytes)",
                spec.check_list.len(),
                config.node,
                history.views.iter().map(|(_, b)| b.len()).sum::<usize>()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the sample history: {e}");
            ExitCode::from(1)
        }
    }
}

/// The notice a check the demo points at nothing would have had.
fn demo_down_on_purpose(endpoint: &str) -> Option<String> {
    if endpoint.ends_with("/no-such-page") {
        Some("status 404 Not Found, expected 2xx".into())
    } else if endpoint.starts_with("http://127.0.0.1:9/") {
        Some("connection refused".into())
    } else {
        None
    }
}
