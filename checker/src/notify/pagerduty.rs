//! PagerDuty Events API v2: `trigger` when an alert opens (and again for
//! reminders, which PagerDuty folds into the open incident), `resolve` when
//! it closes, both with one `dedup_key` per check, so PagerDuty closes what
//! it opened whichever node sends.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http, shorten};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";
/// PagerDuty's documented limit, in characters.
const SUMMARY_LIMIT: usize = 1024;

pub const KIND: Kind<Builder> = Kind {
    name: "pagerduty",
    about: "PagerDuty Events API v2 (trigger, then resolve by dedup key)",
    options: &[
        opt(
            "routing_key_env",
            "\"PAGERDUTY_ROUTING_KEY\"",
            "the integration's routing key (or routing_key)",
        ),
        opt("routing_key", "\"R0...\"", "... the key itself"),
        opt(
            "url",
            "\"https://events.eu.pagerduty.com/v2/enqueue\"",
            "the Events API URL (default PagerDuty's US one)",
        ),
    ],
    build,
};

pub struct PagerDuty {
    client: reqwest::Client,
    url: url::Url,
    routing_key: String,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let routing_key = table.required_secret("routing_key")?;
    let url = match table.http_url("url", false)? {
        Some(url) => url,
        None => url::Url::parse(EVENTS_URL).expect("a valid URL"),
    };
    Ok(Box::new(PagerDuty {
        client: http::client(table, timeout, None)?,
        url,
        routing_key,
    }))
}

pub fn body(event: &Event, routing_key: &str) -> serde_json::Value {
    if event.kind == EventKind::Resolved {
        return json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": event.key(),
        });
    }
    let severity = match (event.kind, event.status) {
        (EventKind::Test, _) => "info",
        (_, Status::Degraded) => "warning",
        _ => "critical",
    };
    let source: Vec<&str> = if event.locations.is_empty() {
        vec![event.node.as_str()]
    } else {
        event.locations.iter().map(|l| l.node.as_str()).collect()
    };
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": if event.kind == EventKind::Test {
            format!("checkup-test-{}", event.node)
        } else {
            event.key()
        },
        "payload": {
            "summary": shorten(&event.text(), SUMMARY_LIMIT),
            "source": source.join(", "),
            "severity": severity,
            "timestamp": event.time(),
            "component": event.check,
            "class": event.kind.as_str(),
            "custom_details": {
                "endpoint": event.endpoint,
                "notice": event.notice,
                "locations": event.locations,
                "quorum": event.quorum,
            },
        },
    })
}

#[async_trait]
impl Channel for PagerDuty {
    fn describe(&self) -> String {
        format!("pagerduty {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let body = body(event, &self.routing_key);
        http::post_json(&self.client, &self.url, &HeaderMap::new(), &body).await
    }
}
