//! Configuration: a TOML file read in two stages. `raw` mirrors the file
//! (unknown keys rejected, every value keeps its position); `validate` turns
//! it into the runtime [`Config`] with defaults applied, or one [`ConfigError`]
//! naming the file, line, column and key.

mod checkup_json;
mod error;
mod raw;
pub(crate) mod validate;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use crate::options::{FieldError, parse_duration};
pub use error::ConfigError;
pub use raw::RawConfig;

use crate::checks::Check;
use crate::maintenance::Window;
use crate::notify::Notifier;
use crate::storage::StorageConfig;

/// The validated configuration a checker runs with.
pub struct Config {
    /// This checker's name; part of every key it writes.
    pub node: String,
    /// Time between the starts of two rounds.
    pub interval: Duration,
    /// How many checks of a round run at once.
    pub concurrency: usize,
    pub storage: StorageConfig,
    /// The checker's own state: rounds waiting for storage (the spool).
    pub state_dir: std::path::PathBuf,
    pub checks: Vec<Arc<Check>>,
    /// Where alerts go when a check changes state.
    pub notifiers: Vec<Arc<Notifier>>,
    /// When checks may fail without alerting.
    pub maintenance: Vec<Window>,
    /// The page feeds, the calendar and the status API describe.
    pub site: crate::published::Site,
    /// Where the ping listener answers, if it runs.
    pub listen: Option<std::net::SocketAddr>,
}

/// Reads and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    from_str(&text, path)
}

/// Like [`load`], but without the notifiers (not validated, none in the
/// result): for commands that never send (`message`), so they work in a shell
/// that lacks the notifiers' secrets (`password_env`, `url_env`).
pub fn load_without_notifiers(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    parse(&text, path, false)
}

/// Validates config text; `path` names it in errors and anchors relative
/// paths. A `.json` file is read as checkup's `checkup.json`, anything else as TOML.
pub fn from_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    parse(text, path, true)
}

fn parse(text: &str, path: &Path, with_notifiers: bool) -> Result<Config, ConfigError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let raw = checkup_json::parse(text, path)?;
        return validate::validate(raw, path).map_err(|mut e| {
            // Name the key as checkup.json spells the list.
            e.key = e.key.replacen("checks[", "checkers[", 1);
            ConfigError::from_field(path, text, e)
        });
    }
    let mut raw: RawConfig =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    if !with_notifiers {
        raw.notifiers.clear();
    }
    validate::validate(raw, path).map_err(|e| ConfigError::from_field(path, text, e))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod checkup_json_tests;
