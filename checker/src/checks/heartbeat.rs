//! Heartbeat checks: a job that reports in (`checker ping`) rather than
//! being probed. Each round judges the pings every node reads from storage
//! (`heartbeat/`), so the result is an ordinary one and the page, alerts,
//! quorum, badges and feeds treat it like any check.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::tz::TimeZone;

use super::{Attempted, Builder, Probe};
use crate::heartbeat::cron::Cron;
use crate::heartbeat::{Due, PingFeed, Rules};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "heartbeat",
    about: "a job reports in with `checker ping`; late or failed is down",
    options: &[
        opt(
            "period",
            "\"1d\"",
            "due at most this long after its last success (or give schedule)",
        ),
        opt(
            "schedule",
            "\"0 3 * * *\"",
            "due at each time of this cron schedule (or give period)",
        ),
        opt(
            "timezone",
            "\"Europe/Berlin\"",
            "the schedule's zone, and the one messages use (default UTC)",
        ),
        opt(
            "grace",
            "\"30m\"",
            "how late a ping may be before the check is down (default 5m)",
        ),
        opt(
            "max_runtime",
            "\"2h\"",
            "a run started and not finished after this long is down",
        ),
        opt(
            "token",
            "\"3f9c...\"",
            "the secret in this check's listener URL, at least 16 characters",
        ),
        opt(
            "token_env",
            "\"BACKUP_PING_TOKEN\"",
            "... or the environment variable that holds it",
        ),
    ],
    build,
};

const MIN_TOKEN_LEN: usize = 16;
const DEFAULT_GRACE: std::time::Duration = std::time::Duration::from_secs(300);

pub struct HeartbeatProbe {
    feed: Arc<PingFeed>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let name = table.required_text("name")?;
    let zone = match table.text("timezone")? {
        Some(zone) => TimeZone::get(&zone)
            .map_err(|_| table.error("timezone", format!("unknown time zone {zone:?}")))?,
        None => TimeZone::UTC,
    };
    let due = match (table.positive_duration("period")?, table.text("schedule")?) {
        (Some(period), None) => {
            if table.has("timezone") {
                return Err(table.error("timezone", "only applies with schedule"));
            }
            Due::Every(period)
        }
        (None, Some(schedule)) => {
            Due::Cron(Cron::parse(&schedule, zone.clone()).map_err(|e| table.error("schedule", e))?)
        }
        (Some(_), Some(_)) => {
            return Err(table.error("schedule", "give period or schedule, not both"));
        }
        (None, None) => {
            return Err(table.missing("period", "period = \"1d\" or schedule = \"0 3 * * *\""));
        }
    };
    let rules = Rules {
        due,
        grace: table.duration("grace")?.unwrap_or(DEFAULT_GRACE),
        max_runtime: table.positive_duration("max_runtime")?,
        zone,
    };
    let token = table.secret("token")?;
    if let Some(token) = &token {
        let field = if table.has("token") {
            "token"
        } else {
            "token_env"
        };
        if token.len() < MIN_TOKEN_LEN {
            return Err(table.error(
                field,
                format!(
                    "a token must be at least {MIN_TOKEN_LEN} characters, so it cannot be guessed"
                ),
            ));
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(table.error(
                field,
                "a token is letters, digits, '-' and '_' (it goes in a URL)",
            ));
        }
    }
    let slug = checkup_model::contract::slug::slug_of(&name);
    let mut feed = PingFeed::new(slug, rules);
    feed.token = token;
    Ok(Box::new(HeartbeatProbe {
        feed: Arc::new(feed),
    }))
}

#[async_trait]
impl Probe for HeartbeatProbe {
    fn endpoint(&self) -> String {
        format!("heartbeat://{}", self.feed.slug)
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        self.feed.judge(super::now_nanos()).map(|()| Attempted::Ok)
    }

    fn measures_time(&self) -> bool {
        false
    }

    fn ping_feed(&self) -> Option<Arc<PingFeed>> {
        Some(Arc::clone(&self.feed))
    }
}
