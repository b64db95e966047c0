//! ntfy (ntfy.sh or self-hosted): publishes as JSON to the server's root
//! with the topic in the body, as ntfy's "publish as JSON" documents, so
//! titles in any script need no header encoding. Markdown stays off: user
//! text is shown as plain text.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::json;

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "ntfy",
    about: "ntfy topic (ntfy.sh or self-hosted)",
    options: &[
        opt(
            "url",
            "\"https://ntfy.sh/acme-alerts\"",
            "the topic's URL (or url_env)",
        ),
        opt(
            "url_env",
            "\"NTFY_TOPIC_URL\"",
            "the environment variable holding it",
        ),
        opt(
            "token_env",
            "\"NTFY_TOKEN\"",
            "an access token for a protected topic (or token)",
        ),
        opt("token", "\"tk_...\"", "... the token itself"),
        opt(
            "priority",
            "4",
            "priority of down alerts, 1-5 (default 4, high; degraded 3, resolved 2)",
        ),
        opt(
            "click",
            "\"https://status.example.com/\"",
            "opened when the notification is tapped",
        ),
    ],
    build,
};

pub struct Ntfy {
    client: reqwest::Client,
    /// The server's root, where JSON is published.
    root: url::Url,
    topic: String,
    headers: HeaderMap,
    priority: i64,
    click: Option<String>,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let url = table.http_url("url", true)?.ok_or_else(|| {
        table.missing("url", "url (or url_env), e.g. https://ntfy.sh/acme-alerts")
    })?;
    let field = if table.has("url") { "url" } else { "url_env" };
    let path = url.path().trim_end_matches('/');
    let (base, topic) = path.rsplit_once('/').unwrap_or(("", path));
    if topic.is_empty() {
        return Err(table.error(field, "needs a topic: https://ntfy.sh/<topic>"));
    }
    let mut root = url.clone();
    root.set_path(&format!("{base}/"));
    root.set_query(None);
    let headers = match table.secret("token")? {
        Some(token) => http::secret_header(table, "token", AUTHORIZATION, "Bearer", &token)?,
        None => HeaderMap::new(),
    };
    Ok(Box::new(Ntfy {
        client: http::client(table, timeout, None)?,
        root,
        topic: topic.to_string(),
        headers,
        priority: table.integer("priority", 1..=5)?.unwrap_or(4),
        click: table.http_url("click", false)?.map(|u| u.to_string()),
    }))
}

pub fn body(
    event: &Event,
    topic: &str,
    down_priority: i64,
    click: Option<&str>,
) -> serde_json::Value {
    let (priority, tag) = match (event.kind, event.status) {
        (EventKind::Resolved, _) => (2, "white_check_mark"),
        (EventKind::Test, _) => (3, "test_tube"),
        (_, Status::Degraded) => (3, "warning"),
        _ => (down_priority, "rotating_light"),
    };
    let mut body = json!({
        "topic": topic,
        "title": event.title(),
        "message": format!("{}\n{} · node {}", event.text(), event.time(), event.node),
        "priority": priority,
        "tags": [tag],
    });
    if let Some(click) = click {
        body["click"] = json!(click);
    }
    body
}

#[async_trait]
impl Channel for Ntfy {
    fn describe(&self) -> String {
        format!("ntfy {}", url_for_people(&self.root))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let body = body(event, &self.topic, self.priority, self.click.as_deref());
        http::post_json(&self.client, &self.root, &self.headers, &body).await
    }
}
