//! Discord incoming webhook: `{"content": ..., "embeds": [...]}` as Discord's
//! execute-webhook API takes it, with mentions disabled so a check's text can
//! never ping anyone.

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
    name: "discord",
    about: "Discord webhook, mentions disabled",
    options: &[
        opt(
            "url",
            "\"https://discord.com/api/webhooks/...\"",
            "the webhook URL (or url_env)",
        ),
        opt(
            "url_env",
            "\"DISCORD_WEBHOOK_URL\"",
            "the environment variable holding the URL",
        ),
    ],
    build,
};

const RED: u32 = 0xD0_30_30;
const YELLOW: u32 = 0xE0_A0_00;
const GREEN: u32 = 0x30_A0_50;

pub struct Discord {
    client: reqwest::Client,
    url: url::Url,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    Ok(Box::new(Discord {
        url: webhook_url(table)?,
        client: http::client(table, timeout, None)?,
    }))
}

pub fn body(event: &Event) -> serde_json::Value {
    let color = match (event.kind, event.status) {
        (EventKind::Resolved, _) | (EventKind::Test, _) => GREEN,
        (_, Status::Degraded) => YELLOW,
        _ => RED,
    };
    let mut fields = vec![json!({ "name": "node", "value": event.node, "inline": true })];
    if !event.endpoint.is_empty() {
        fields.push(json!({ "name": "endpoint", "value": event.endpoint, "inline": true }));
    }
    json!({
        "content": event.title().chars().take(2000).collect::<String>(),
        "allowed_mentions": { "parse": [] },
        "embeds": [{
            // Discord refuses titles over 256 and descriptions over 4096 characters.
            "title": event.title().chars().take(256).collect::<String>(),
            "description": event.text().chars().take(4000).collect::<String>(),
            "color": color,
            "timestamp": event.time(),
            "fields": fields,
        }]
    })
}

#[async_trait]
impl Channel for Discord {
    fn describe(&self) -> String {
        format!("discord {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), super::SendError> {
        http::post_json(&self.client, &self.url, &HeaderMap::new(), &body(event)).await
    }
}
