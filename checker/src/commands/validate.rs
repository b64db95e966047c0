//! `checker validate`: load the config and say what it would do.

use std::path::Path;
use std::process::ExitCode;

use crate::config;

pub fn validate(path: &Path) -> anyhow::Result<ExitCode> {
    let config = config::load(path)?;
    println!(
        "{}: ok: node {:?}, {} checks every {}, results to {}",
        path.display(),
        config.node,
        config.checks.len(),
        humantime::format_duration(config.interval),
        config.storage.describe(),
    );
    Ok(ExitCode::SUCCESS)
}
