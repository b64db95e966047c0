//! Pushover `1/messages.json`, as plain text (no `html`), so user text is
//! shown as written. Emergency priority (2) repeats until acknowledged; its
//! messages carry a tag per check, and "resolved" first cancels by that tag
//! so the phone stops ringing for an outage that is over.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http, shorten};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const API_URL: &str = "https://api.pushover.net";
const EMERGENCY: i64 = 2;
/// Pushover's documented limits.
const TITLE_LIMIT: usize = 250;
const MESSAGE_LIMIT: usize = 1024;
const MIN_RETRY: Duration = Duration::from_secs(30);
const MAX_EXPIRE: Duration = Duration::from_secs(10_800);

pub const KIND: Kind<Builder> = Kind {
    name: "pushover",
    about: "Pushover notification (emergency priority optional)",
    options: &[
        opt(
            "user_key_env",
            "\"PUSHOVER_USER_KEY\"",
            "the user or group key (or user_key)",
        ),
        opt("user_key", "\"uQiRzpo4...\"", "... the key itself"),
        opt(
            "app_token_env",
            "\"PUSHOVER_APP_TOKEN\"",
            "the application's API token (or app_token)",
        ),
        opt("app_token", "\"azGDORePK8...\"", "... the token itself"),
        opt(
            "priority",
            "1",
            "priority of down alerts, -2 to 2 (default 1, high; 2 = emergency: repeats until acknowledged)",
        ),
        opt(
            "retry",
            "\"1m\"",
            "with priority 2: how often it repeats (default 1m, at least 30s)",
        ),
        opt(
            "expire",
            "\"1h\"",
            "with priority 2: how long it repeats (default 1h, at most 3h)",
        ),
        opt("sound", "\"siren\"", "the sound of down alerts"),
        opt("device", "\"phone\"", "only this device (default: all)"),
        opt(
            "url",
            "\"https://status.example.com/\"",
            "a link shown with the message",
        ),
        opt(
            "api_url",
            "\"https://api.pushover.net\"",
            "the API server (default Pushover's)",
        ),
    ],
    build,
};

/// What every message from one notifier shares.
#[derive(Debug, Clone)]
pub struct Settings {
    pub user: String,
    pub token: String,
    pub priority: i64,
    pub retry: Duration,
    pub expire: Duration,
    pub sound: Option<String>,
    pub device: Option<String>,
    pub url: Option<String>,
}

pub struct Pushover {
    client: reqwest::Client,
    api: url::Url,
    settings: Settings,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let user = table.required_secret("user_key")?;
    let token = table.required_secret("app_token")?;
    let priority = table.integer("priority", -2..=2)?.unwrap_or(1);
    let retry = table.duration("retry")?.unwrap_or(Duration::from_secs(60));
    let expire = table
        .duration("expire")?
        .unwrap_or(Duration::from_secs(3600));
    if retry < MIN_RETRY {
        return Err(table.error("retry", "must be at least 30s (Pushover's minimum)"));
    }
    if expire > MAX_EXPIRE || expire < retry {
        return Err(table.error(
            "expire",
            "must be between retry and 3h (Pushover's maximum)",
        ));
    }
    if priority != EMERGENCY {
        for field in ["retry", "expire"] {
            if table.has(field) {
                return Err(table.error(field, "applies only with priority = 2 (emergency)"));
            }
        }
    }
    Ok(Box::new(Pushover {
        client: http::client(table, timeout, None)?,
        api: table
            .http_url("api_url", false)?
            .unwrap_or_else(|| url::Url::parse(API_URL).expect("a valid URL")),
        settings: Settings {
            user: user.trim().to_string(),
            token: token.trim().to_string(),
            priority,
            retry,
            expire,
            sound: table.non_empty_text("sound")?,
            device: table.non_empty_text("device")?,
            url: table.http_url("url", false)?.map(|u| u.to_string()),
        },
    }))
}

pub fn body(event: &Event, settings: &Settings) -> Value {
    let alarm = matches!(event.kind, EventKind::Down | EventKind::Reminder)
        && event.status != Status::Degraded;
    let priority = if alarm { settings.priority } else { 0 };
    let mut body = json!({
        "token": settings.token,
        "user": settings.user,
        "title": shorten(&event.title(), TITLE_LIMIT),
        "message": shorten(
            &format!("{}\nnode {}", event.text(), event.node),
            MESSAGE_LIMIT,
        ),
        "priority": priority,
        "timestamp": event.timestamp / 1_000_000_000,
    });
    if priority == EMERGENCY {
        body["retry"] = json!(settings.retry.as_secs());
        body["expire"] = json!(settings.expire.as_secs());
        body["tags"] = json!(event.key());
    }
    if alarm && let Some(sound) = &settings.sound {
        body["sound"] = json!(sound);
    }
    if let Some(device) = &settings.device {
        body["device"] = json!(device);
    }
    if let Some(url) = &settings.url {
        body["url"] = json!(url);
    }
    body
}

impl Pushover {
    fn endpoint(&self, path: &[&str]) -> url::Url {
        let mut url = self.api.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(path);
        url
    }
}

#[async_trait]
impl Channel for Pushover {
    fn describe(&self) -> String {
        format!("pushover {}", url_for_people(&self.api))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let none = HeaderMap::new();
        if event.kind == EventKind::Resolved && self.settings.priority == EMERGENCY {
            let cancel = self.endpoint(&[
                "1",
                "receipts",
                "cancel_by_tag",
                &format!("{}.json", event.key()),
            ]);
            let token = json!({ "token": self.settings.token });
            http::post_json(&self.client, &cancel, &none, &token).await?;
        }
        let url = self.endpoint(&["1", "messages.json"]);
        http::post_json(&self.client, &url, &none, &body(event, &self.settings)).await
    }
}
