//! Stage two of config loading: checks every value and applies defaults,
//! turning [`RawConfig`] into the runtime [`Config`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::raw::RawStatusPage;
use super::{Config, RawConfig};
use crate::options::{FieldError, duration};
use crate::published::Site;
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
            checkup_model::contract::file_name::validate_node(node.get_ref())
                .map_err(|e| FieldError::new(node.span(), "node", e.to_string()))?;
            node.get_ref().clone()
        }
        None => {
            let host = gethostname::gethostname().to_string_lossy().into_owned();
            checkup_model::contract::file_name::validate_node(&host).map_err(|e| {
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
    let mut storage = storage::StorageConfig::from_raw(raw.storage.as_ref(), base_dir)?;
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
    let mut ping_dirs: HashMap<String, usize> = HashMap::new();
    let mut built = Vec::with_capacity(raw.checks.len());
    for (i, table) in raw.checks.iter().enumerate() {
        let key = format!("checks[{i}]");
        let check = checks::build(table, &key)?;
        let name_error = |message: String| {
            let name_span = table
                .get_ref()
                .iter()
                .find(|(k, _)| k.get_ref() == "name")
                .map_or(table.span(), |(_, v)| v.span());
            FieldError::new(name_span, format!("{key}.name"), message)
        };
        if let Some(first) = seen.insert(check.common.name.clone(), i) {
            return Err(name_error(format!(
                "{:?} is already the name of checks[{first}]; names identify checks on the page, so they must be unique",
                check.common.name
            )));
        }
        if let Some(feed) = check.ping_feed()
            && let Some(first) = ping_dirs.insert(feed.slug.clone(), i)
        {
            return Err(name_error(format!(
                "{:?} and checks[{first}] would share pings/{}/; rename one (heartbeat names must differ in more than case and punctuation)",
                check.common.name, feed.slug
            )));
        }
        built.push(Arc::new(check));
    }

    let names: Vec<&str> = built.iter().map(|c| c.common.name.as_str()).collect();
    let notifiers = notify::from_raw(&raw.notifiers, &names)?;
    let maintenance = maintenance::from_raw(&raw.maintenance, &names)?;
    let site = site(raw.status_page.as_ref())?;
    let listen = listen(raw.listen.as_ref(), &built)?;

    storage.interval = interval;
    Ok(Config {
        node,
        interval,
        concurrency,
        storage,
        state_dir,
        checks: built,
        notifiers,
        maintenance,
        site,
        listen,
    })
}

/// `listen`: an address, and heartbeat checks with tokens to answer for,
/// each token its own.
fn listen(
    raw: Option<&Spanned<String>>,
    checks: &[Arc<crate::checks::Check>],
) -> Result<Option<std::net::SocketAddr>, FieldError> {
    let feeds: Vec<_> = checks.iter().filter_map(|c| c.ping_feed()).collect();
    for (i, feed) in feeds.iter().enumerate() {
        if let Some(token) = &feed.token
            && feeds[..i].iter().any(|f| f.token.as_ref() == Some(token))
        {
            return Err(FieldError::new(
                0..0,
                "checks",
                format!(
                    "two heartbeat checks have the same token (the second is pings/{}/): each needs its own",
                    feed.slug
                ),
            ));
        }
    }
    let Some(raw) = raw else {
        return Ok(None);
    };
    let address: std::net::SocketAddr = raw.get_ref().parse().map_err(|_| {
        FieldError::new(
            raw.span(),
            "listen",
            format!(
                "{:?} is not an address and port like \"127.0.0.1:8787\"",
                raw.get_ref()
            ),
        )
    })?;
    Ok(Some(address))
}

/// `[status_page]`, with its defaults.
fn site(raw: Option<&Spanned<RawStatusPage>>) -> Result<Site, FieldError> {
    let mut site = Site::default();
    let Some(raw) = raw.map(|r| r.get_ref()) else {
        return Ok(site);
    };
    if let Some(title) = &raw.title {
        if title.get_ref().trim().is_empty() {
            return Err(FieldError::new(
                title.span(),
                "status_page.title",
                "must not be empty",
            ));
        }
        site.title = title.get_ref().trim().to_string();
    }
    if let Some(url) = &raw.url {
        let text = url.get_ref().trim();
        match url::Url::parse(text) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() =>
            {
                let mut text = parsed.to_string();
                if !text.ends_with('/') && parsed.query().is_none() && parsed.fragment().is_none() {
                    text.push('/');
                }
                site.url = Some(text);
            }
            _ => {
                return Err(FieldError::new(
                    url.span(),
                    "status_page.url",
                    format!(
                        "{text:?} is not the page's public address; write it like \"https://status.example.com/\""
                    ),
                ));
            }
        }
    }
    Ok(site)
}
