//! Gotify: `POST <server>/message` with the application token in the
//! `X-Gotify-Key` header and the content type pinned to plain text, so user
//! text never renders as Markdown.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::{HeaderMap, HeaderName};
use serde_json::json;

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "gotify",
    about: "Gotify server (application token)",
    options: &[
        opt(
            "url",
            "\"https://gotify.example.com\"",
            "the server's URL (required)",
        ),
        opt(
            "token_env",
            "\"GOTIFY_APP_TOKEN\"",
            "the application's token (or token)",
        ),
        opt("token", "\"A...\"", "... the token itself"),
        opt(
            "priority",
            "8",
            "priority of down alerts, 0-10 (default 8; degraded 5, resolved 2)",
        ),
    ],
    build,
};

pub struct Gotify {
    client: reqwest::Client,
    url: url::Url,
    headers: HeaderMap,
    priority: i64,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let server = table
        .http_url("url", false)?
        .ok_or_else(|| table.missing("url", "url, the Gotify server"))?;
    let token = table.required_secret("token")?;
    let mut url = server.clone();
    url.set_path(&format!("{}/message", server.path().trim_end_matches('/')));
    let headers = http::secret_header(
        table,
        "token",
        HeaderName::from_static("x-gotify-key"),
        "",
        &token,
    )?;
    Ok(Box::new(Gotify {
        client: http::client(table, timeout, None)?,
        url,
        headers,
        priority: table.integer("priority", 0..=10)?.unwrap_or(8),
    }))
}

pub fn body(event: &Event, down_priority: i64) -> serde_json::Value {
    let priority = match (event.kind, event.status) {
        (EventKind::Resolved, _) => 2,
        (EventKind::Test, _) => 4,
        (_, Status::Degraded) => 5,
        _ => down_priority,
    };
    json!({
        "title": event.title(),
        "message": format!("{}\n{} · node {}", event.text(), event.time(), event.node),
        "priority": priority,
        "extras": { "client::display": { "contentType": "text/plain" } },
    })
}

#[async_trait]
impl Channel for Gotify {
    fn describe(&self) -> String {
        format!("gotify {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        http::post_json(
            &self.client,
            &self.url,
            &self.headers,
            &body(event, self.priority),
        )
        .await
    }
}
