//! The one place check kinds are registered: `type = "..."` to its module.
//! Also builds the options every kind shares.

use std::time::Duration;

use toml::Spanned;

use super::{Check, Common, Probe, dns, exec, http, tcp, tls};
use crate::config::{FieldError, RawCheck, kinds, validate::duration};

/// Every kind: its `type` name, the kind-specific keys it accepts, and its builder.
type Builder = fn(&Spanned<RawCheck>, &str) -> Result<Box<dyn Probe>, FieldError>;
const KINDS: &[(&str, &[&str], Builder)] = &[
    ("http", http::KEYS, http::build),
    ("tcp", tcp::KEYS, tcp::build),
    ("tls", tls::KEYS, tls::build),
    ("dns", dns::KEYS, dns::build),
    ("exec", exec::KEYS, exec::build),
];

const DEFAULT_ATTEMPTS: u32 = 1;
const MAX_ATTEMPTS: i64 = 100;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the check configured at `key` (e.g. `checks[3]`).
pub fn build(raw: &Spanned<RawCheck>, key: &str) -> Result<Check, FieldError> {
    let check = raw.get_ref();
    let (kind, _, builder) = kinds::pick(
        KINDS,
        |(name, keys, _)| (*name, *keys),
        &check.kind,
        check.kind_specific_keys(),
        key,
        "checks",
    )?;
    let common = common(check, key)?;
    let probe = builder(raw, key)?;
    Ok(Check {
        common,
        kind,
        probe,
    })
}

fn common(check: &RawCheck, key: &str) -> Result<Common, FieldError> {
    let attempts = match &check.attempts {
        Some(v) if !(1..=MAX_ATTEMPTS).contains(v.get_ref()) => {
            return Err(FieldError::new(
                v.span(),
                format!("{key}.attempts"),
                format!("must be between 1 and {MAX_ATTEMPTS}, not {}", v.get_ref()),
            ));
        }
        Some(v) => *v.get_ref() as u32,
        None => DEFAULT_ATTEMPTS,
    };
    let optional =
        |v: &Option<Spanned<String>>, field: &str| -> Result<Option<Duration>, FieldError> {
            v.as_ref()
                .map(|v| duration(v, &format!("{key}.{field}")))
                .transpose()
        };
    let timeout = optional(&check.timeout, "timeout")?.unwrap_or(DEFAULT_TIMEOUT);
    if timeout.is_zero() {
        let span = check.timeout.as_ref().map(|t| t.span()).unwrap_or_default();
        return Err(FieldError::new(
            span,
            format!("{key}.timeout"),
            "must be more than 0s",
        ));
    }
    Ok(Common {
        name: check.name.get_ref().clone(),
        attempts,
        attempt_spacing: optional(&check.attempt_spacing, "attempt_spacing")?.unwrap_or_default(),
        timeout,
        threshold_rtt: optional(&check.threshold_rtt, "threshold_rtt")?.filter(|d| !d.is_zero()),
    })
}
