//! The one place notifier kinds are registered: `type = "..."` to its module.
//! Also reads what every notifier shares (name, checks, thresholds).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use checkup_model::derive::merge::Quorum;
use toml::Spanned;

use super::{
    Builder, Notifier, Policy, discord, email, gotify, matrix, ntfy, opsgenie, pagerduty, pushover,
    slack, teams, telegram, webhook,
};
use crate::options::check_list;
use crate::options::{Family, opt};
use crate::options::{FieldError, Opt};
use crate::options::{RawTable, Table};

/// Every notifier kind.
pub static NOTIFIERS: Family<Builder> = Family {
    noun: "notifiers",
    singular: "notifier",
    common: COMMON,
    kinds: &[
        webhook::KIND,
        slack::KIND,
        discord::KIND,
        email::KIND,
        ntfy::KIND,
        gotify::KIND,
        pagerduty::KIND,
        telegram::KIND,
        teams::KIND,
        opsgenie::KIND,
        matrix::KIND,
        pushover::KIND,
    ],
};

/// The options every notifier takes.
const COMMON: &[Opt] = &[
    opt("type", "\"webhook\"", "the channel"),
    opt(
        "name",
        "\"ops-slack\"",
        "names it in logs and state (default: the type, then type-2, ...)",
    ),
    opt(
        "checks",
        "[\"Website\", \"API\"]",
        "only these checks (default: all)",
    ),
    opt(
        "failure_threshold",
        "2",
        "bad rounds in a row before \"down\" is sent (default 2)",
    ),
    opt(
        "success_threshold",
        "2",
        "good rounds in a row before \"resolved\" is sent (default 2)",
    ),
    opt(
        "send_on_resolved",
        "true",
        "send \"resolved\" when an alert closes (default true)",
    ),
    opt(
        "reminder_interval",
        "\"4h\"",
        "repeat while the alert stays open (default never)",
    ),
    opt(
        "on_degraded",
        "false",
        "degraded counts as bad too (default false)",
    ),
    opt(
        "quorum",
        "\"majority\"",
        "with several nodes: how many fresh locations must see a check bad before an alert, \"majority\", \"all\", \"any\" or a number (default \"majority\")",
    ),
    opt("timeout", "\"10s\"", "per delivery attempt (default 10s)"),
];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_THRESHOLD: i64 = 2;
const MAX_THRESHOLD: i64 = 1000;

/// Validates every `[[notifiers]]` table; `check_names` are the configured checks.
pub fn from_raw(
    raw: &[Spanned<RawTable>],
    check_names: &[&str],
) -> Result<Vec<Arc<Notifier>>, FieldError> {
    let mut built: Vec<Arc<Notifier>> = Vec::with_capacity(raw.len());
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut per_kind: HashMap<&'static str, usize> = HashMap::new();
    for (i, raw_table) in raw.iter().enumerate() {
        let path = format!("notifiers[{i}]");
        let (kind, table) = NOTIFIERS.pick(raw_table, &path)?;
        let notifier = build(kind.name, kind.build, &table, check_names, &mut per_kind)?;
        table.ensure_all_read()?;
        if let Some(first) = names.insert(notifier.name.clone(), i) {
            return Err(table.error(
                "name",
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

/// `quorum`: a word or a whole number of locations.
fn quorum(table: &Table) -> Result<Quorum, FieldError> {
    let wrong = |what: String| {
        table.error(
            "quorum",
            format!(
                "{what}: use \"majority\", \"all\", \"any\" or a number of locations such as 2"
            ),
        )
    };
    match table.value("quorum").map(|v| v.get_ref()) {
        None => Ok(Quorum::Majority),
        Some(toml::Value::String(word)) => match word.as_str() {
            "majority" => Ok(Quorum::Majority),
            "all" => Ok(Quorum::All),
            "any" => Ok(Quorum::Any),
            other => Err(wrong(format!("{other:?} is not a quorum"))),
        },
        Some(toml::Value::Integer(n)) if (1..=MAX_THRESHOLD).contains(n) => {
            Ok(Quorum::AtLeast(*n as u32))
        }
        Some(toml::Value::Integer(n)) => Err(wrong(format!("{n} locations is not a quorum"))),
        Some(other) => Err(wrong(format!("a {} is not a quorum", other.type_str()))),
    }
}

fn build(
    kind: &'static str,
    builder: Builder,
    table: &Table,
    check_names: &[&str],
    per_kind: &mut HashMap<&'static str, usize>,
) -> Result<Notifier, FieldError> {
    let threshold = |field: &str| -> Result<u32, FieldError> {
        match table.get::<i64>(field)? {
            Some(n) if !(1..=MAX_THRESHOLD).contains(&n) => Err(table.error(
                field,
                format!("must be between 1 and {MAX_THRESHOLD} rounds, not {n}"),
            )),
            n => Ok(n.unwrap_or(DEFAULT_THRESHOLD) as u32),
        }
    };
    let reminder_interval = match table.duration("reminder_interval")? {
        Some(d) if d < Duration::from_secs(1) => {
            return Err(table.error("reminder_interval", "must be at least 1s"));
        }
        other => other,
    };
    let policy = Policy {
        failure_threshold: threshold("failure_threshold")?,
        success_threshold: threshold("success_threshold")?,
        send_on_resolved: table.bool("send_on_resolved")?.unwrap_or(true),
        reminder_interval,
        on_degraded: table.bool("on_degraded")?.unwrap_or(false),
        quorum: quorum(table)?,
    };
    let timeout = table
        .positive_duration("timeout")?
        .unwrap_or(DEFAULT_TIMEOUT);
    let name = match table.text("name")? {
        Some(name) if name.trim().is_empty() => {
            return Err(table.error("name", "must not be empty"));
        }
        Some(name) => name,
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
    // The list as check_list reads it: every name at the list's position.
    let checks = table.text_list("checks")?.map(|names| {
        let span = table.span_of("checks");
        Spanned::new(
            span.clone(),
            names
                .into_iter()
                .map(|n| Spanned::new(span.clone(), n))
                .collect(),
        )
    });
    Ok(Notifier {
        name,
        kind,
        checks: check_list(&checks, table.path(), check_names)?,
        policy,
        timeout,
        channel: builder(table, timeout)?,
    })
}
