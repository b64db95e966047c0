//! WebSocket checks: open a connection (ws or wss), optionally send a text
//! message, and optionally expect a substring in the first message that
//! comes back, all within the timeout.

use async_trait::async_trait;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::{Attempted, Builder, Probe, tcp, tls_setup};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "websocket",
    about: "open a WebSocket, optionally send a message and expect a reply",
    options: &[
        opt(
            "url",
            "\"wss://example.com/socket\"",
            "ws:// or wss:// (required)",
        ),
        opt(
            "send",
            "'{\"type\": \"ping\"}'",
            "a text message to send once connected",
        ),
        opt(
            "expect",
            "\"pong\"",
            "the first message received must contain this",
        ),
        opt(
            "headers",
            "{ Authorization = \"Bearer ...\" }",
            "headers of the opening request",
        ),
        opt("tls_verify", "true", "with wss: verify the certificate"),
        opt(
            "ca_file",
            "\"ca.pem\"",
            "with wss: also trust these PEM certificates",
        ),
    ],
    build,
};

pub struct WebSocketProbe {
    url: url::Url,
    address: String,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
    headers: reqwest::header::HeaderMap,
    send: Option<String>,
    expect: Option<String>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let text = table.required_text("url")?;
    let url = url::Url::parse(text.trim())
        .map_err(|e| table.error("url", format!("{text:?} is not a valid URL: {e}")))?;
    let secure = match url.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return Err(table.error(
                "url",
                format!("must start with ws:// or wss://, not {other}://"),
            ));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| table.error("url", "needs a host"))?
        .to_string();
    let port = url
        .port_or_known_default()
        .unwrap_or(if secure { 443 } else { 80 });
    if !secure {
        for field in ["tls_verify", "ca_file"] {
            if table.has(field) {
                return Err(table.error(field, "only applies to wss:// URLs"));
            }
        }
    }
    let tls = if secure {
        let verify = table.bool("tls_verify")?.unwrap_or(true);
        let ca = table.ca_file("ca_file")?;
        let config =
            tls_setup::client_config(verify, ca.as_ref()).map_err(|e| table.error("ca_file", e))?;
        let name = tls_setup::server_name(&host).map_err(|e| table.error("url", e))?;
        Some((tokio_rustls::TlsConnector::from(config), name))
    } else {
        None
    };
    let send = table.text("send")?;
    let expect = table.non_empty_text("expect")?;
    Ok(Box::new(WebSocketProbe {
        address: format!("{host}:{port}"),
        url,
        tls,
        headers: table.headers("headers")?,
        send,
        expect,
    }))
}

/// A WebSocket failure in words.
fn describe(e: WsError) -> String {
    match e {
        WsError::Http(response) => format!(
            "the server refused the WebSocket: HTTP {}",
            response.status()
        ),
        WsError::ConnectionClosed | WsError::AlreadyClosed => "the connection closed".into(),
        WsError::Io(io) => tcp::describe_io(&io),
        other => other.to_string(),
    }
}

impl WebSocketProbe {
    async fn talk<S>(&self, stream: S) -> Result<Attempted, String>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let mut request = self
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| format!("cannot make the opening request: {e}"))?;
        for (name, value) in &self.headers {
            request.headers_mut().append(name, value.clone());
        }
        let (mut socket, _response) = tokio_tungstenite::client_async(request, stream)
            .await
            .map_err(describe)?;
        if let Some(text) = &self.send {
            socket
                .send(Message::text(text.clone()))
                .await
                .map_err(|e| format!("cannot send the message: {}", describe(e)))?;
        }
        let outcome = match &self.expect {
            None => Ok(Attempted::Ok),
            Some(expected) => first_message(&mut socket).await.and_then(|text| {
                if text.contains(expected.as_str()) {
                    Ok(Attempted::Ok)
                } else {
                    let shown: String = text.chars().take(80).collect();
                    Err(format!(
                        "the first message {shown:?} does not contain {expected:?}"
                    ))
                }
            }),
        };
        // A polite close, but never waiting long for the server's half.
        let _ =
            tokio::time::timeout(std::time::Duration::from_millis(500), socket.close(None)).await;
        outcome
    }
}

/// The first text or binary message (binary read as UTF-8, lossily).
async fn first_message<S>(
    socket: &mut tokio_tungstenite::WebSocketStream<S>,
) -> Result<String, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(message) = socket.next().await {
        match message.map_err(describe)? {
            Message::Text(text) => return Ok(text.to_string()),
            Message::Binary(bytes) => return Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Message::Close(frame) => {
                return Err(match frame {
                    Some(frame) if !frame.reason.is_empty() => format!(
                        "the server closed the connection before a message: {} {}",
                        u16::from(frame.code),
                        frame.reason
                    ),
                    _ => "the server closed the connection before a message".into(),
                });
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
    Err("the connection ended before a message".into())
}

#[async_trait]
impl Probe for WebSocketProbe {
    fn endpoint(&self) -> String {
        self.url.to_string()
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let stream = tcp::connect(&self.address).await?;
        match &self.tls {
            None => self.talk(stream).await,
            Some((connector, name)) => {
                let stream = connector
                    .connect(name.clone(), stream)
                    .await
                    .map_err(|e| format!("TLS handshake failed: {e}"))?;
                self.talk(stream).await
            }
        }
    }
}
