//! Generic webhook: POSTs the event as JSON (the body is documented in the
//! README under "Notifications"), with optional extra headers.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use serde_json::json;
use toml::Spanned;

use super::registry::{ca_pem, url, url_for_people};
use super::{Channel, Event, http};
use crate::config::{FieldError, RawNotifier};

pub const KEYS: &[&str] = &["url", "url_env", "headers", "ca_file"];

pub struct Webhook {
    client: reqwest::Client,
    url: url::Url,
    headers: HeaderMap,
}

pub fn build(
    raw: &Spanned<RawNotifier>,
    key: &str,
    timeout: Duration,
) -> Result<Box<dyn Channel>, FieldError> {
    let n = raw.get_ref();
    let url = url(raw, key)?;
    let headers = crate::config::validate::header_map(&n.headers, key)?;
    let client = http::client(raw, key, timeout, ca_pem(&n.ca_file, key)?)?;
    Ok(Box::new(Webhook {
        client,
        url,
        headers,
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
    })
}

#[async_trait]
impl Channel for Webhook {
    fn describe(&self) -> String {
        format!("webhook {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), String> {
        http::post_json(&self.client, &self.url, &self.headers, &body(event)).await
    }
}
