//! The one place notifier kinds are registered: `type = "..."` to its module.
//! Also validates what every notifier shares (name, checks, thresholds), and
//! the value helpers the kind modules use.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::{Channel, Notifier, Policy, discord, email, slack, webhook};
use crate::config::validate::{check_list, duration};
use crate::config::{FieldError, RawNotifier, kinds};

/// Every kind: its `type` name, the kind-specific keys it accepts, and its builder.
type Builder = fn(&Spanned<RawNotifier>, &str, Duration) -> Result<Box<dyn Channel>, FieldError>;
const KINDS: &[(&str, &[&str], Builder)] = &[
    ("webhook", webhook::KEYS, webhook::build),
    ("slack", slack::KEYS, slack::build),
    ("discord", discord::KEYS, discord::build),
    ("email", email::KEYS, email::build),
];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_THRESHOLD: i64 = 1000;

/// Validates every `[[notifiers]]` table; `check_names` are the configured checks.
pub fn from_raw(
    raw: &[Spanned<RawNotifier>],
    check_names: &[&str],
) -> Result<Vec<Arc<Notifier>>, FieldError> {
    let mut built: Vec<Arc<Notifier>> = Vec::with_capacity(raw.len());
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut per_kind: HashMap<&'static str, usize> = HashMap::new();
    for (i, table) in raw.iter().enumerate() {
        let key = format!("notifiers[{i}]");
        let notifier = build(table, &key, check_names, &mut per_kind)?;
        let span = table
            .get_ref()
            .name
            .as_ref()
            .map_or(table.span(), |n| n.span());
        if let Some(first) = names.insert(notifier.name.clone(), i) {
            return Err(FieldError::new(
                span,
                format!("{key}.name"),
                format!(
                    "{:?} is already the name of notifiers[{first}]; give each notifier its own `name`",
                    notifier.name
                ),
            ));
        }
        built.push(Arc::new(notifier));
    }
    Ok(built)
}

fn build(
    raw: &Spanned<RawNotifier>,
    key: &str,
    check_names: &[&str],
    per_kind: &mut HashMap<&'static str, usize>,
) -> Result<Notifier, FieldError> {
    let n = raw.get_ref();
    let (kind, _, builder) = kinds::pick(
        KINDS,
        |(name, keys, _)| (*name, *keys),
        &n.kind,
        n.kind_specific_keys(),
        key,
        "notifiers",
    )?;
    let threshold = |v: &Option<Spanned<i64>>, field: &str| -> Result<u32, FieldError> {
        match v {
            Some(v) if !(1..=MAX_THRESHOLD).contains(v.get_ref()) => Err(FieldError::new(
                v.span(),
                format!("{key}.{field}"),
                format!(
                    "must be between 1 and {MAX_THRESHOLD} rounds, not {}",
                    v.get_ref()
                ),
            )),
            Some(v) => Ok(*v.get_ref() as u32),
            None => Ok(2),
        }
    };
    let reminder_interval = match &n.reminder_interval {
        Some(v) => {
            let d = duration(v, &format!("{key}.reminder_interval"))?;
            if d < Duration::from_secs(1) {
                return Err(FieldError::new(
                    v.span(),
                    format!("{key}.reminder_interval"),
                    "must be at least 1s",
                ));
            }
            Some(d)
        }
        None => None,
    };
    let policy = Policy {
        failure_threshold: threshold(&n.failure_threshold, "failure_threshold")?,
        success_threshold: threshold(&n.success_threshold, "success_threshold")?,
        send_on_resolved: n.send_on_resolved.as_ref().is_none_or(|v| *v.get_ref()),
        reminder_interval,
        on_degraded: n.on_degraded.as_ref().is_some_and(|v| *v.get_ref()),
    };
    let timeout = match &n.timeout {
        Some(v) => {
            let d = duration(v, &format!("{key}.timeout"))?;
            if d.is_zero() {
                return Err(FieldError::new(
                    v.span(),
                    format!("{key}.timeout"),
                    "must be more than 0s",
                ));
            }
            d
        }
        None => DEFAULT_TIMEOUT,
    };
    let name = match &n.name {
        Some(v) if v.get_ref().trim().is_empty() => {
            return Err(FieldError::new(
                v.span(),
                format!("{key}.name"),
                "must not be empty",
            ));
        }
        Some(v) => v.get_ref().clone(),
        None => {
            // "email", then "email-2", ...: stable while the order of one
            // kind's notifiers is, which keeps their state across restarts.
            let count = per_kind.entry(kind).or_insert(0);
            *count += 1;
            if *count == 1 {
                kind.to_string()
            } else {
                format!("{kind}-{count}")
            }
        }
    };
    Ok(Notifier {
        name,
        kind,
        checks: check_list(&n.checks, key, check_names)?,
        policy,
        timeout,
        channel: builder(raw, key, timeout)?,
    })
}

/// A required, non-empty string value.
pub(super) fn required<'a>(
    value: &'a Option<Spanned<String>>,
    raw: &Spanned<RawNotifier>,
    key: &str,
    field: &str,
) -> Result<&'a Spanned<String>, FieldError> {
    match value {
        Some(v) if v.get_ref().trim().is_empty() => Err(FieldError::new(
            v.span(),
            format!("{key}.{field}"),
            "must not be empty",
        )),
        Some(v) => Ok(v),
        None => Err(FieldError::new(
            raw.span(),
            format!("{key}.{field}"),
            format!("{} notifiers need {field}", raw.get_ref().kind.get_ref()),
        )),
    }
}

/// A secret given inline (`field`) or read from the environment variable
/// named by `field_env`; at most one of the two. `None` when neither is set.
pub(super) fn secret(
    inline: &Option<Spanned<String>>,
    from_env: &Option<Spanned<String>>,
    key: &str,
    field: &str,
) -> Result<Option<String>, FieldError> {
    match (inline, from_env) {
        (Some(_), Some(env)) => Err(FieldError::new(
            env.span(),
            format!("{key}.{field}_env"),
            format!("give {field} or {field}_env, not both"),
        )),
        (Some(v), None) => Ok(Some(v.get_ref().clone())),
        (None, Some(env)) => match std::env::var(env.get_ref()) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            _ => Err(FieldError::new(
                env.span(),
                format!("{key}.{field}_env"),
                format!(
                    "the environment variable {} is not set (or empty)",
                    env.get_ref()
                ),
            )),
        },
        (None, None) => Ok(None),
    }
}

/// The URL of a webhook-like notifier (`url` or `url_env`), http(s) only.
pub(super) fn url(raw: &Spanned<RawNotifier>, key: &str) -> Result<url::Url, FieldError> {
    let n = raw.get_ref();
    let span = n
        .url
        .as_ref()
        .or(n.url_env.as_ref())
        .map_or(raw.span(), |v| v.span());
    let text = secret(&n.url, &n.url_env, key, "url")?.ok_or_else(|| {
        FieldError::new(
            raw.span(),
            format!("{key}.url"),
            format!("{} notifiers need url (or url_env)", n.kind.get_ref()),
        )
    })?;
    // The URL may be a secret (Slack's and Discord's are): do not repeat it.
    let parsed = url::Url::parse(text.trim()).map_err(|e| {
        FieldError::new(
            span.clone(),
            format!("{key}.url"),
            format!("is not a valid URL: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldError::new(
            span,
            format!("{key}.url"),
            format!(
                "must start with http:// or https://, not {}://",
                parsed.scheme()
            ),
        ));
    }
    Ok(parsed)
}

/// The PEM bytes of an optional `ca_file`, checked to hold certificates.
pub(super) fn ca_pem(
    value: &Option<Spanned<String>>,
    key: &str,
) -> Result<Option<Vec<u8>>, FieldError> {
    let Some(v) = value else { return Ok(None) };
    let bad = |why: String| FieldError::new(v.span(), format!("{key}.ca_file"), why);
    let pem = std::fs::read(v.get_ref())
        .map_err(|e| bad(format!("{} is not a readable file: {e}", v.get_ref())))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(bad(format!("{} holds no PEM certificates", v.get_ref())));
    }
    Ok(Some(pem))
}

/// A URL for people: scheme, host and port, with the path (which may hold a
/// token) left out.
pub(super) fn url_for_people(url: &url::Url) -> String {
    let mut shown = url.origin().ascii_serialization();
    if url.path() != "/" || url.query().is_some() {
        shown.push_str("/…");
    }
    shown
}
