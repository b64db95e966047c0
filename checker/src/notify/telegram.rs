//! Telegram Bot API `sendMessage`, in its HTML parse mode with every piece
//! of user text escaped as the Bot API documents (`&`, `<`, `>`), so a
//! check's title can never become markup or a link, and with a word joiner
//! after each `@`, so it can never mention (and notify) anyone either.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::{Builder, Channel, Event, EventKind, SendError, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const API_URL: &str = "https://api.telegram.org";

pub const KIND: Kind<Builder> = Kind {
    name: "telegram",
    about: "Telegram bot message to a chat",
    options: &[
        opt(
            "bot_token_env",
            "\"TELEGRAM_BOT_TOKEN\"",
            "the bot's token (or bot_token)",
        ),
        opt("bot_token", "\"123456:ABC...\"", "... the token itself"),
        opt(
            "chat_id",
            "\"-1001234567890\"",
            "the chat, group or channel (@name or id; required)",
        ),
        opt(
            "message_thread_id",
            "42",
            "a topic of a forum group to post in",
        ),
        opt(
            "api_url",
            "\"https://api.telegram.org\"",
            "the Bot API server (default Telegram's)",
        ),
    ],
    build,
};

pub struct Telegram {
    client: reqwest::Client,
    /// `<api>/bot<token>/sendMessage`: holds the token, never shown.
    url: url::Url,
    chat_id: String,
    thread: Option<i64>,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let token = table.required_secret("bot_token")?;
    let field = table.secret_key("bot_token");
    if token.is_empty()
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":_-".contains(&b))
    {
        return Err(table.error(
            &field,
            "is not a bot token (digits, ':', then letters, digits, '_' and '-')",
        ));
    }
    let api = table
        .http_url("api_url", false)?
        .unwrap_or_else(|| url::Url::parse(API_URL).expect("a valid URL"));
    let mut url = api.clone();
    url.set_path(&format!(
        "{}/bot{token}/sendMessage",
        api.path().trim_end_matches('/')
    ));
    let chat_id = match table.value("chat_id").map(|v| v.get_ref()) {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(toml::Value::Integer(n)) => n.to_string(),
        Some(_) => return Err(table.error("chat_id", "must be a chat id or @channelname")),
        None => return Err(table.missing("chat_id", "chat_id")),
    };
    Ok(Box::new(Telegram {
        client: http::client(table, timeout, None)?,
        url,
        chat_id,
        thread: table.integer("message_thread_id", 1..=i64::MAX)?,
    }))
}

/// Text for Telegram's HTML parse mode. Telegram finds `@name` mentions in
/// plain text too; U+2060 (invisible) keeps `@` from starting one.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "@\u{2060}")
}

pub fn body(event: &Event, chat_id: &str, thread: Option<i64>) -> serde_json::Value {
    let icon = match (event.kind, event.status) {
        (EventKind::Resolved, _) | (EventKind::Test, _) => "🟢",
        (_, Status::Degraded) => "🟡",
        _ => "🔴",
    };
    let mut context = format!("node {} · {}", event.node, event.time());
    if !event.endpoint.is_empty() {
        context = format!("{} · {context}", event.endpoint);
    }
    let mut body = json!({
        "chat_id": chat_id,
        "text": format!(
            "{icon} <b>{}</b>\n{}\n<i>{}</i>",
            escape(&event.title()),
            escape(&event.text()),
            escape(&context)
        ),
        "parse_mode": "HTML",
        "link_preview_options": { "is_disabled": true },
    });
    if let Some(thread) = thread {
        body["message_thread_id"] = json!(thread);
    }
    body
}

#[async_trait]
impl Channel for Telegram {
    fn describe(&self) -> String {
        format!("telegram chat {}", self.chat_id)
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let body = body(event, &self.chat_id, self.thread);
        // Errors leave the URL, which holds the token, out.
        http::post_json(&self.client, &self.url, &HeaderMap::new(), &body).await
    }
}
