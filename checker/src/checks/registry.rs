//! The one place check kinds are registered: `type = "..."` to its module.
//! Also reads the options every kind shares.

use std::time::Duration;

use toml::Spanned;

use super::{
    Builder, Check, Common, dns, domain, exec, grpc, heartbeat, http, icmp, tcp, tls, websocket,
};
use crate::options::{Family, opt};
use crate::options::{FieldError, Opt};
use crate::options::{RawTable, Table};

/// Every check kind.
pub static CHECKS: Family<Builder> = Family {
    noun: "checks",
    singular: "check",
    common: COMMON,
    kinds: &[
        http::KIND,
        tcp::KIND,
        tls::KIND,
        dns::KIND,
        exec::KIND,
        heartbeat::KIND,
        icmp::KIND,
        websocket::KIND,
        domain::KIND,
        grpc::KIND,
    ],
};

/// The options every kind takes.
const COMMON: &[Opt] = &[
    opt(
        "name",
        "\"text\"",
        "shown on the page and in results; unique",
    ),
    opt("type", "\"http\"", "the kind of check"),
    opt("attempts", "1..100", "attempts per round (default 1)"),
    opt(
        "attempt_spacing",
        "\"500ms\"",
        "pause between attempts (default none)",
    ),
    opt("timeout", "\"10s\"", "per attempt (default 10s)"),
    opt(
        "threshold_rtt",
        "\"400ms\"",
        "a median response time above this is degraded",
    ),
];

const DEFAULT_ATTEMPTS: i64 = 1;
const MAX_ATTEMPTS: i64 = 100;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the check configured at `path` (e.g. `checks[3]`).
pub fn build(raw: &Spanned<RawTable>, path: &str) -> Result<Check, FieldError> {
    let (kind, table) = CHECKS.pick(raw, path)?;
    let common = common(&table)?;
    let probe = (kind.build)(&table)?;
    table.ensure_all_read()?;
    Ok(Check {
        common,
        kind: kind.name,
        probe,
    })
}

fn common(table: &Table) -> Result<Common, FieldError> {
    let name = table.required_text("name")?;
    let attempts = table
        .integer("attempts", 1..=MAX_ATTEMPTS)?
        .unwrap_or(DEFAULT_ATTEMPTS) as u32;
    Ok(Common {
        name,
        attempts,
        attempt_spacing: table.duration("attempt_spacing")?.unwrap_or_default(),
        timeout: table
            .positive_duration("timeout")?
            .unwrap_or(DEFAULT_TIMEOUT),
        threshold_rtt: table.duration("threshold_rtt")?.filter(|d| !d.is_zero()),
    })
}
