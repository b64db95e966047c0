//! Opsgenie Alert API: create an alert with one `alias` per check when an
//! alert opens (Opsgenie folds a repeat into the open alert, so reminders
//! only bump its count) and close it by that alias when it resolves, so
//! Opsgenie closes what it opened whichever node sends.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http, shorten};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const US_API: &str = "https://api.opsgenie.com";
const EU_API: &str = "https://api.eu.opsgenie.com";
/// Opsgenie's documented limits on these fields, in characters.
const MESSAGE_LIMIT: usize = 130;
const DESCRIPTION_LIMIT: usize = 15_000;
const TAG_LIMIT: usize = 50;

pub const KIND: Kind<Builder> = Kind {
    name: "opsgenie",
    about: "Opsgenie alert (created by alias, closed by alias)",
    options: &[
        opt(
            "api_key_env",
            "\"OPSGENIE_API_KEY\"",
            "an API integration's key (or api_key)",
        ),
        opt("api_key", "\"eb24...\"", "... the key itself"),
        opt(
            "region",
            "\"eu\"",
            "\"us\" (default) or \"eu\": which Opsgenie instance",
        ),
        opt(
            "api_url",
            "\"https://api.opsgenie.com\"",
            "the API's base URL instead of region's",
        ),
        opt(
            "priority",
            "\"P1\"",
            "priority of down alerts, P1-P5 (default P2; degraded P3)",
        ),
        opt(
            "responders",
            "[\"ops\"]",
            "teams to route the alert to, by name (default: the integration's)",
        ),
        opt("tags", "[\"website\"]", "tags on every alert"),
    ],
    build,
};

pub struct Opsgenie {
    client: reqwest::Client,
    api: url::Url,
    headers: HeaderMap,
    priority: String,
    responders: Vec<String>,
    tags: Vec<String>,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let key = table.required_secret("api_key")?;
    let headers = http::secret_header(table, "api_key", AUTHORIZATION, "GenieKey", &key)?;
    let region = table.text("region")?;
    let api = match (table.http_url("api_url", false)?, region.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(table.error("api_url", "give region or api_url, not both"));
        }
        (Some(url), None) => url,
        (None, None | Some("us")) => url::Url::parse(US_API).expect("a valid URL"),
        (None, Some("eu")) => url::Url::parse(EU_API).expect("a valid URL"),
        (None, Some(other)) => {
            return Err(table.error("region", format!("{other:?} is not \"us\" or \"eu\"")));
        }
    };
    let priority = match table.text("priority")? {
        None => "P2".to_string(),
        Some(p) if ["P1", "P2", "P3", "P4", "P5"].contains(&p.as_str()) => p,
        Some(p) => {
            return Err(table.error("priority", format!("{p:?} is not one of P1 to P5")));
        }
    };
    let tags = table.text_list("tags")?.unwrap_or_default();
    if let Some(long) = tags.iter().find(|t| t.chars().count() > TAG_LIMIT) {
        return Err(table.error(
            "tags",
            format!("{long:?} is longer than Opsgenie's {TAG_LIMIT} characters"),
        ));
    }
    Ok(Box::new(Opsgenie {
        client: http::client(table, timeout, None)?,
        api,
        headers,
        priority,
        responders: table.text_list("responders")?.unwrap_or_default(),
        tags,
    }))
}

/// One alias per check: a new outage after a close opens a new alert.
pub fn alias(event: &Event) -> String {
    match event.kind {
        EventKind::Test => format!("checkup-test-{}", event.node),
        _ => event.key(),
    }
}

/// The body that creates (or, for a repeat, bumps) the check's alert.
pub fn create_body(event: &Event, priority: &str, responders: &[String], tags: &[String]) -> Value {
    let priority = match (event.kind, event.status) {
        (EventKind::Test, _) => "P5",
        (_, Status::Degraded) => "P3",
        _ => priority,
    };
    let mut all_tags = vec!["checkup".to_string(), event.kind.as_str().to_string()];
    all_tags.extend(tags.iter().cloned());
    let mut details = serde_json::Map::new();
    details.insert("endpoint".into(), json!(event.endpoint));
    details.insert("node".into(), json!(event.node));
    details.insert("quorum".into(), json!(event.quorum));
    details.insert("time".into(), json!(event.time()));
    for location in &event.locations {
        details.insert(
            format!("location {}", location.node),
            json!(format!("{} {}", location.status, location.notice).trim_end()),
        );
    }
    let mut body = json!({
        "message": shorten(&event.text(), MESSAGE_LIMIT),
        "alias": alias(event),
        "description": shorten(
            &format!("{}\n\n{} · node {}", event.text(), event.time(), event.node),
            DESCRIPTION_LIMIT,
        ),
        "tags": all_tags,
        "details": details,
        "entity": event.check,
        "source": format!("checkup node {}", event.node),
        "priority": priority,
    });
    if !responders.is_empty() {
        body["responders"] = responders
            .iter()
            .map(|team| json!({ "type": "team", "name": team }))
            .collect();
    }
    body
}

/// The body that closes it.
pub fn close_body(event: &Event) -> Value {
    json!({
        "source": format!("checkup node {}", event.node),
        "note": event.text(),
    })
}

impl Opsgenie {
    fn endpoint(&self, segments: &[&str]) -> url::Url {
        let mut url = self.api.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(["v2", "alerts"])
            .extend(segments);
        url
    }
}

#[async_trait]
impl Channel for Opsgenie {
    fn describe(&self) -> String {
        format!("opsgenie {}", url_for_people(&self.api))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        if event.kind == EventKind::Resolved {
            let mut url = self.endpoint(&[&alias(event), "close"]);
            url.set_query(Some("identifierType=alias"));
            return http::post_json(&self.client, &url, &self.headers, &close_body(event)).await;
        }
        let body = create_body(event, &self.priority, &self.responders, &self.tags);
        http::post_json(&self.client, &self.endpoint(&[]), &self.headers, &body).await
    }
}
