//! Matrix: `PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}`
//! with a transaction id made from the event, so a retried attempt is the
//! same transaction and the homeserver posts it once. User text is HTML
//! escaped in `formatted_body`, and an empty `m.mentions` tells clients
//! the message mentions nobody, whatever a check's title says.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use checkup_model::contract::slug::slug_of;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "matrix",
    about: "Matrix room message (client-server API)",
    options: &[
        opt(
            "homeserver",
            "\"https://matrix.example.org\"",
            "the homeserver's client URL (required)",
        ),
        opt(
            "access_token_env",
            "\"MATRIX_ACCESS_TOKEN\"",
            "the sending user's access token (or access_token)",
        ),
        opt("access_token", "\"syt_...\"", "... the token itself"),
        opt(
            "room_id",
            "\"!abcdefgh:example.org\"",
            "the room's id, not an alias (required; the user must have joined it)",
        ),
        opt(
            "msgtype",
            "\"text\"",
            "\"text\" (default) or \"notice\" (quieter: most clients do not notify)",
        ),
    ],
    build,
};

pub struct Matrix {
    client: reqwest::Client,
    homeserver: url::Url,
    room_id: String,
    headers: HeaderMap,
    msgtype: &'static str,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let homeserver = table
        .http_url("homeserver", false)?
        .ok_or_else(|| table.missing("homeserver", "homeserver, e.g. https://matrix.org"))?;
    let token = table.required_secret("access_token")?;
    let headers = http::secret_header(table, "access_token", AUTHORIZATION, "Bearer", &token)?;
    let room_id = table.required_text("room_id")?;
    let room_id = room_id.trim().to_string();
    if !room_id.starts_with('!') || !room_id.contains(':') {
        return Err(table.error(
            "room_id",
            format!(
                "{room_id:?} is not a room id: use the id (\"!abcdefgh:example.org\", in the room's settings under Advanced), not an alias"
            ),
        ));
    }
    let msgtype = match table.text("msgtype")?.as_deref() {
        None | Some("text") => "m.text",
        Some("notice") => "m.notice",
        Some(other) => {
            return Err(table.error(
                "msgtype",
                format!("{other:?} is not \"text\" or \"notice\""),
            ));
        }
    };
    Ok(Box::new(Matrix {
        client: http::client(table, timeout, None)?,
        homeserver,
        room_id,
        headers,
        msgtype,
    }))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The same for every attempt at one event, different for every event.
pub fn transaction_id(event: &Event) -> String {
    format!(
        "checkup.{}.{}.{}.{}",
        slug_of(&event.node),
        slug_of(&event.check),
        event.kind.as_str(),
        event.timestamp
    )
}

pub fn body(event: &Event, msgtype: &str) -> Value {
    let icon = match (event.kind, event.status) {
        (EventKind::Resolved | EventKind::Test, _) => "🟢",
        (_, Status::Degraded) => "🟡",
        _ => "🔴",
    };
    let context = format!("node {} · {}", event.node, event.time());
    json!({
        "msgtype": msgtype,
        "body": format!("{icon} {}\n{}\n{context}", event.title(), event.text()),
        "format": "org.matrix.custom.html",
        "formatted_body": format!(
            "{icon} <strong>{}</strong><br>{}<br><em>{}</em>",
            escape(&event.title()),
            escape(&event.text()),
            escape(&context)
        ),
        "m.mentions": {},
    })
}

#[async_trait]
impl Channel for Matrix {
    fn describe(&self) -> String {
        format!(
            "matrix {} room {}",
            url_for_people(&self.homeserver),
            self.room_id
        )
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let mut url = self.homeserver.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(["_matrix", "client", "v3", "rooms"])
            .push(&self.room_id)
            .extend(["send", "m.room.message"])
            .push(&transaction_id(event));
        let response = self
            .client
            .put(url)
            .headers(self.headers.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body(event, self.msgtype).to_string())
            .send()
            .await
            .map_err(http::describe_error)?;
        http::answered(response).await
    }
}
