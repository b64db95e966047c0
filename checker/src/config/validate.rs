//! Stage two of config loading: checks every value and applies defaults,
//! turning [`RawConfig`] into the runtime [`Config`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::{Config, FieldError, RawConfig, parse_duration};
use crate::{checks, maintenance, notify, storage};

const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// Enough to run hundreds of I/O-bound checks quickly without opening
/// hundreds of sockets at once from a small machine.
const DEFAULT_CONCURRENCY: usize = 32;
const MAX_CONCURRENCY: i64 = 10_000;

pub fn validate(raw: RawConfig, path: &Path) -> Result<Config, FieldError> {
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let node = match &raw.node {
        Some(node) => {
            checkup_model::naming::validate_node(node.get_ref())
                .map_err(|e| FieldError::new(node.span(), "node", e.to_string()))?;
            node.get_ref().clone()
        }
        None => {
            let host = gethostname::gethostname().to_string_lossy().into_owned();
            checkup_model::naming::validate_node(&host).map_err(|e| {
                FieldError::new(
                    0..0,
                    "node",
                    format!(
                        "the host name cannot be used as the node name ({e}); set `node = \"...\"`"
                    ),
                )
            })?;
            host
        }
    };
    let interval = match &raw.interval {
        Some(v) => {
            let d = duration(v, "interval")?;
            if d < Duration::from_secs(1) {
                return Err(FieldError::new(v.span(), "interval", "must be at least 1s"));
            }
            d
        }
        None => DEFAULT_INTERVAL,
    };
    let concurrency = match &raw.concurrency {
        Some(v) => {
            let n = *v.get_ref();
            if !(1..=MAX_CONCURRENCY).contains(&n) {
                return Err(FieldError::new(
                    v.span(),
                    "concurrency",
                    format!("must be between 1 and {MAX_CONCURRENCY}, not {n}"),
                ));
            }
            n as usize
        }
        None => DEFAULT_CONCURRENCY,
    };
    let storage = storage::StorageConfig::from_raw(raw.storage.as_ref(), base_dir)?;
    let state_dir = match &raw.state_dir {
        Some(d) if d.get_ref().trim().is_empty() => {
            return Err(FieldError::new(d.span(), "state_dir", "must not be empty"));
        }
        Some(d) => base_dir.join(d.get_ref()),
        None => match std::env::var_os("STATE_DIRECTORY").filter(|d| !d.is_empty()) {
            Some(dirs) => {
                let dirs = dirs.to_string_lossy().into_owned();
                std::path::PathBuf::from(dirs.split(':').next().unwrap_or_default())
            }
            None => base_dir.join("state"),
        },
    };

    if raw.checks.is_empty() {
        return Err(FieldError::new(
            0..0,
            "checks",
            "no checks are configured; add at least one [[checks]] table",
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut built = Vec::with_capacity(raw.checks.len());
    for (i, check) in raw.checks.iter().enumerate() {
        let key = format!("checks[{i}]");
        let name = &check.get_ref().name;
        if name.get_ref().trim().is_empty() {
            return Err(FieldError::new(
                name.span(),
                format!("{key}.name"),
                "must not be empty",
            ));
        }
        if let Some(first) = seen.insert(name.get_ref().clone(), i) {
            return Err(FieldError::new(
                name.span(),
                format!("{key}.name"),
                format!(
                    "{:?} is already the name of checks[{first}]; names identify checks on the page, so they must be unique",
                    name.get_ref()
                ),
            ));
        }
        built.push(Arc::new(checks::build(check, &key)?));
    }

    let names: Vec<&str> = built.iter().map(|c| c.common.name.as_str()).collect();
    let notifiers = notify::from_raw(&raw.notifiers, &names)?;
    let maintenance = maintenance::from_raw(&raw.maintenance, &names)?;

    Ok(Config {
        node,
        interval,
        concurrency,
        storage,
        state_dir,
        checks: built,
        notifiers,
        maintenance,
    })
}

/// An optional `checks = ["name", ...]` list of a notifier or maintenance
/// window at `key`: each must name a configured check. `None` = all checks.
pub fn check_list(
    value: &Option<Spanned<Vec<Spanned<String>>>>,
    key: &str,
    check_names: &[&str],
) -> Result<Option<Vec<String>>, FieldError> {
    let Some(list) = value else { return Ok(None) };
    if list.get_ref().is_empty() {
        return Err(FieldError::new(
            list.span(),
            format!("{key}.checks"),
            "is empty; leave it out to cover every check",
        ));
    }
    let mut names = Vec::new();
    for name in list.get_ref() {
        if !check_names.contains(&name.get_ref().as_str()) {
            return Err(FieldError::new(
                name.span(),
                format!("{key}.checks"),
                format!(
                    "no check is named {:?}; the checks are: {}",
                    name.get_ref(),
                    check_names.join(", ")
                ),
            ));
        }
        names.push(name.get_ref().clone());
    }
    Ok(Some(names))
}

/// Parses a spanned human duration, naming `key` on error.
pub fn duration(value: &Spanned<String>, key: &str) -> Result<Duration, FieldError> {
    parse_duration(value.get_ref()).map_err(|e| FieldError::new(value.span(), key, e))
}

/// A `headers` table as request headers, refusing a name or value HTTP
/// cannot carry with its key (`checks[0].headers.X-Token`).
pub fn header_map(
    headers: &Option<Spanned<std::collections::BTreeMap<String, String>>>,
    key: &str,
) -> Result<reqwest::header::HeaderMap, FieldError> {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let mut map = HeaderMap::new();
    let Some(h) = headers else {
        return Ok(map);
    };
    for (name, value) in h.get_ref() {
        let bad = |what: &str| {
            FieldError::new(
                h.span(),
                format!("{key}.headers.{name}"),
                format!("is not a valid header {what}"),
            )
        };
        map.append(
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?,
            HeaderValue::from_str(value).map_err(|_| bad("value"))?,
        );
    }
    Ok(map)
}
