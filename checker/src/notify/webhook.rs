//! Generic webhook: POSTs the event as JSON (the body is documented in the
//! README under "Notifications"), with optional extra headers.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::http::{url_for_people, webhook_url};
use super::{Builder, Channel, Event, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "webhook",
    about: "POST the event as JSON to a URL",
    options: &[
        opt(
            "url",
            "\"https://hooks.example.com/...\"",
            "where to POST (or url_env)",
        ),
        opt(
            "url_env",
            "\"WEBHOOK_URL\"",
            "the environment variable holding the URL",
        ),
        opt(
            "headers",
            "{ Authorization = \"Bearer ...\" }",
            "extra request headers",
        ),
        opt("ca_file", "\"ca.pem\"", "also trust these PEM certificates"),
    ],
    build,
};

pub struct Webhook {
    client: reqwest::Client,
    url: url::Url,
    headers: HeaderMap,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    Ok(Box::new(Webhook {
        url: webhook_url(table)?,
        headers: table.headers("headers")?,
        client: http::client(table, timeout, table.ca_file("ca_file")?.as_ref())?,
    }))
}

/// The JSON body of every webhook call.
pub fn body(event: &Event) -> serde_json::Value {
    json!({
        "event": event.kind.as_str(),
        "check": event.check,
        "endpoint": event.endpoint,
        "status": event.status.as_str(),
        "notice": event.notice,
        "node": event.node,
        "timestamp": event.timestamp,
        "time": event.time(),
        "since": event.since,
        "title": event.title(),
        "text": event.text(),
        "locations": event.locations,
        "quorum": event.quorum,
    })
}

#[async_trait]
impl Channel for Webhook {
    fn describe(&self) -> String {
        format!("webhook {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), super::SendError> {
        http::post_json(&self.client, &self.url, &self.headers, &body(event)).await
    }
}
