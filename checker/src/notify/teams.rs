//! Microsoft Teams through a Workflows (Power Automate) webhook, which
//! replaces the retired Office 365 connectors: an Adaptive Card whose user
//! text sits in `TextRun`s, the one element Adaptive Cards never read as
//! Markdown, so a check's title cannot become a link or formatting.

use std::time::Duration;

use async_trait::async_trait;
use checkup_model::Status;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::http::url_for_people;
use super::{Builder, Channel, Event, EventKind, SendError, http};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "teams",
    about: "Microsoft Teams channel through a Workflows webhook (Adaptive Card)",
    options: &[
        opt(
            "url_env",
            "\"TEAMS_WORKFLOW_URL\"",
            "the environment variable holding the workflow's HTTP POST URL",
        ),
        opt(
            "url",
            "\"https://prod-00.westeurope.logic.azure.com/workflows/...\"",
            "... the URL itself (it holds a signature: prefer url_env)",
        ),
    ],
    build,
};

pub struct Teams {
    client: reqwest::Client,
    url: url::Url,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    Ok(Box::new(Teams {
        client: http::client(table, timeout, None)?,
        url: http::webhook_url(table)?,
    }))
}

/// A run of plain text (never Markdown).
fn run(text: &str) -> Value {
    json!({ "type": "TextRun", "text": text })
}

/// One "label: value" row.
fn fact(label: &str, value: &str) -> Value {
    json!({
        "type": "ColumnSet",
        "spacing": "None",
        "columns": [
            {
                "type": "Column",
                "width": "90px",
                "items": [{
                    "type": "RichTextBlock",
                    "inlines": [{ "type": "TextRun", "text": label, "weight": "Bolder" }],
                }],
            },
            {
                "type": "Column",
                "width": "stretch",
                "items": [{ "type": "RichTextBlock", "inlines": [run(value)] }],
            },
        ],
    })
}

pub fn body(event: &Event) -> Value {
    // Adaptive Card colour names: red, amber, green.
    let (style, colour) = match (event.kind, event.status) {
        (EventKind::Resolved | EventKind::Test, _) => ("good", "Good"),
        (_, Status::Degraded) => ("warning", "Warning"),
        _ => ("attention", "Attention"),
    };
    let nodes: Vec<&str> = if event.locations.is_empty() {
        vec![event.node.as_str()]
    } else {
        event.locations.iter().map(|l| l.node.as_str()).collect()
    };
    let mut facts = vec![fact("Check", &event.check)];
    if !event.endpoint.is_empty() {
        facts.push(fact("Endpoint", &event.endpoint));
    }
    facts.push(fact(
        if nodes.len() > 1 { "Nodes" } else { "Node" },
        &nodes.join(", "),
    ));
    if !event.notice.is_empty() {
        facts.push(fact("Notice", &event.notice));
    }
    facts.push(fact("Time", &event.time()));
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": [
                    {
                        "type": "Container",
                        "style": style,
                        "bleed": true,
                        "items": [{
                            "type": "RichTextBlock",
                            "inlines": [{
                                "type": "TextRun",
                                "text": event.title(),
                                "weight": "Bolder",
                                "size": "Large",
                                "color": colour,
                            }],
                        }],
                    },
                    { "type": "RichTextBlock", "inlines": [run(&event.text())] },
                    { "type": "Container", "spacing": "Medium", "items": facts },
                ],
            },
        }],
    })
}

#[async_trait]
impl Channel for Teams {
    fn describe(&self) -> String {
        format!("teams {}", url_for_people(&self.url))
    }

    async fn send(&self, event: &Event) -> Result<(), SendError> {
        http::post_json(&self.client, &self.url, &HeaderMap::new(), &body(event)).await
    }
}
