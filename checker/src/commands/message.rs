//! `checker message`: set, clear or list the status messages the running
//! checker attaches to a check's results (see `messages.rs`).

use std::path::Path;
use std::process::ExitCode;

use super::{CommandError, exit};
use crate::{config, messages};

pub fn message(
    path: &Path,
    check: Option<&str>,
    clear: bool,
    text: Option<&str>,
) -> Result<ExitCode, CommandError> {
    // Notifiers are not needed here, nor their secrets in this shell.
    let config = config::load_without_notifiers(path)?;
    let Some(check) = check else {
        let current = messages::load(&config.state_dir)?;
        if current.is_empty() {
            println!("no status messages");
        }
        for (check, text) in &current {
            println!("{check}: {text}");
        }
        return Ok(ExitCode::SUCCESS);
    };
    let names: Vec<&str> = config
        .checks
        .iter()
        .map(|c| c.common.name.as_str())
        .collect();
    if !names.contains(&check) {
        eprintln!(
            "error: no check is named {check:?} in {}; the checks are: {}",
            path.display(),
            names.join(", ")
        );
        return Ok(ExitCode::from(exit::BAD_CONFIG));
    }
    let text = match (clear, text.map(str::trim)) {
        (true, _) => None,
        (false, Some(t)) if !t.is_empty() => Some(t),
        (false, _) => {
            eprintln!("error: give the message text, or --clear to remove {check:?}'s message");
            return Ok(ExitCode::from(exit::BAD_CONFIG));
        }
    };
    let had = messages::load(&config.state_dir)
        .map(|m| m.contains_key(check))
        .unwrap_or(false);
    messages::update(&config.state_dir, check, text)?;
    match text {
        Some(_) => {
            println!("message for {check:?} set; a running checker attaches it from its next round")
        }
        None if had => println!("message for {check:?} cleared"),
        None => println!("{check:?} had no message"),
    }
    Ok(ExitCode::SUCCESS)
}
