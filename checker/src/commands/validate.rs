//! `checker validate`: load the config and say what it would do.

use std::path::Path;
use std::process::ExitCode;

use super::CommandError;
use crate::config;

pub fn validate(path: &Path) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    let mut extra = String::new();
    if !config.notifiers.is_empty() {
        let names: Vec<String> = config
            .notifiers
            .iter()
            .map(|n| format!("{} ({})", n.name, n.channel.describe()))
            .collect();
        extra += &format!("; notifiers: {}", names.join(", "));
    }
    if !config.maintenance.is_empty() {
        let names: Vec<&str> = config
            .maintenance
            .iter()
            .map(|w| w.title.as_str())
            .collect();
        extra += &format!("; maintenance windows: {}", names.join(", "));
    }
    println!(
        "{}: ok: node {:?}, {} checks every {}, results to {}{extra}",
        path.display(),
        config.node,
        config.checks.len(),
        humantime::format_duration(config.interval),
        config.storage.describe(),
    );
    Ok(ExitCode::SUCCESS)
}
