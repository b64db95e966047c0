//! Slack incoming webhook: `{"text": ..., "blocks": [...]}` as Slack's
//! incoming-webhook API takes it (`text` is the fallback for notifications).

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::http::{url_for_people, webhook_url};
use super::{Builder, Channel, Event, EventKind, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "slack",
    about: "Slack incoming webhook",
    options: &[
        opt(
            "url",
            "\"https://hooks.slack.com/services/...\"",
            "the webhook URL (or url_env)",
        ),
        opt(
            "url_env",
            "\"SLACK_WEBHOOK_URL\"",
            "the environment variable holding the URL",
        ),
    ],
    build,
};

pub struct Slack {
    client: reqwest::Client,
    url: url::Url,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    Ok(Box::new(Slack {
        url: webhook_url(table)?,
        client: http::client(table, timeout, None)?,
    }))
}

/// Slack's mrkdwn treats `&`, `<` and `>` as markup: escape them so a check's
/// text can never become a link or a mention.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn body(event: &Event) -> serde_json::Value {
    let icon = match (event.kind, event.status) {
        (EventKind::Resolved, _) | (EventKind::Test, _) => ":large_green_circle:",
        (_, Status::Degraded) => ":large_yellow_circle:",
        _ => ":red_circle:",
    };
    let mut context = format!("node {} · {}", escape(&event.node), event.time());
    if !event.endpoint.is_empty() {
        context = format!("{} · {context}", escape(&event.endpoint));
    }
    json!({
        // The fallback shown in notifications: "[DOWN] Website is down: ...".
        "text": escape(&format!("[{}] {}", event.tag(), event.text())),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": format!("{icon} *{}*\n{}", escape(&event.title()), escape(&event.text())),
                }
            },
            {
                "type": "context",
                "elements": [{ "type": "mrkdwn", "text": context }]
            }
        ]
    })
}

#[async_trait]
impl Channel for Slack {
    fn describe(&self) -> String {
        format!("slack {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), super::SendError> {
        http::post_json(&self.client, &self.url, &HeaderMap::new(), &body(event)).await
    }
}
