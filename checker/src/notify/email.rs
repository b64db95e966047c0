//! Email over SMTP with lettre: STARTTLS (default), implicit TLS, or plain
//! (for a relay on loopback), with optional authentication. TLS is rustls
//! with the system's roots plus an optional `ca_file`.

use std::time::Duration;

use super::{Builder, Channel, Event};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};
use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub const KIND: Kind<Builder> = Kind {
    name: "email",
    about: "mail over SMTP: STARTTLS, implicit TLS, or plain to a relay on this machine",
    options: &[
        opt("host", "\"smtp.example.com\"", "the SMTP server (required)"),
        opt("port", "587", "default: 587 starttls, 465 tls, 25 none"),
        opt(
            "tls",
            "\"starttls\"",
            "\"starttls\" (default), \"tls\" (implicit) or \"none\" (a relay on this machine)",
        ),
        opt("username", "\"checker@example.com\"", "log in as this user"),
        opt("password", "\"...\"", "with username (or password_env)"),
        opt(
            "password_env",
            "\"SMTP_PASSWORD\"",
            "the environment variable holding the password",
        ),
        opt(
            "from",
            "\"Checker <checker@example.com>\"",
            "the sender (required)",
        ),
        opt("to", "[\"ops@example.com\"]", "the recipients (required)"),
        opt("ca_file", "\"ca.pem\"", "also trust these PEM certificates"),
    ],
    build,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    StartTls,
    Implicit,
    Plain,
}

pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    shown: String,
}

fn build(table: &Table, timeout: Duration) -> Result<Box<dyn Channel>, FieldError> {
    let host = table.required_text("host")?.trim().to_string();
    let mode = table
        .parse("tls", |text| match text {
            "starttls" => Ok(Mode::StartTls),
            "tls" => Ok(Mode::Implicit),
            "none" => Ok(Mode::Plain),
            other => Err(format!(
                "{other:?} is not a TLS mode; use \"starttls\" (default, port 587), \"tls\" (implicit, port 465) or \"none\" (a relay on this machine)"
            )),
        })?
        .unwrap_or(Mode::StartTls);
    let port = match table.get::<i64>("port")? {
        Some(n) if !(1..=65535).contains(&n) => {
            return Err(table.error("port", format!("{n} is not a port")));
        }
        Some(n) => n as u16,
        None => match mode {
            Mode::StartTls => 587,
            Mode::Implicit => 465,
            Mode::Plain => 25,
        },
    };
    let password = table.secret("password")?;
    let credentials = match (table.text("username")?, password) {
        (Some(user), Some(password)) => Some(Credentials::new(user, password)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(FieldError::new(
                table.span_of("username"),
                table.key("password"),
                "is needed with username (or password_env)",
            ));
        }
        (None, Some(_)) => {
            let at = if table.has("password") {
                "password"
            } else {
                "password_env"
            };
            return Err(FieldError::new(
                table.span_of(at),
                table.key("username"),
                "is needed with a password",
            ));
        }
    };
    if mode == Mode::Plain && credentials.is_some() && !is_loopback(&host) {
        return Err(table.error(
            "tls",
            format!(
                "\"none\" would send the password in clear text to {host}; use \"starttls\" or \"tls\" (plain is for a relay on this machine)"
            ),
        ));
    }
    let mailbox = |text: &str, field: &str| -> Result<Mailbox, FieldError> {
        text.parse()
            .map_err(|e| table.error(field, format!("{text:?} is not an email address: {e}")))
    };
    let from = mailbox(&table.required_text("from")?, "from")?;
    let to = match table.text_list("to")? {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|a| mailbox(a, "to"))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(table.error("to", "names no recipients")),
        None => return Err(table.missing("to", "to = [\"someone@example.com\"]")),
    };
    let tls = match mode {
        Mode::Plain => {
            if table.has("ca_file") {
                return Err(
                    table.error("ca_file", "only applies with tls = \"starttls\" or \"tls\"")
                );
            }
            Tls::None
        }
        _ => {
            let mut params = TlsParameters::builder(host.clone());
            if let Some(ca) = table.ca_file("ca_file")? {
                let cert = Certificate::from_pem(&ca.pem)
                    .map_err(|e| table.error("ca_file", format!("cannot be used: {e}")))?;
                params = params.add_root_certificate(cert);
            }
            let params = params
                .build_rustls()
                .map_err(|e| table.table_error(format!("cannot set up TLS: {e}")))?;
            if mode == Mode::Implicit {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
        .port(port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(c) = credentials {
        builder = builder.credentials(c);
    }
    let mode_name = match mode {
        Mode::StartTls => "starttls",
        Mode::Implicit => "tls",
        Mode::Plain => "no tls",
    };
    Ok(Box::new(Email {
        transport: builder.build(),
        shown: format!("email smtp://{host}:{port} ({mode_name}) to {}", list(&to)),
        from,
        to,
    }))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn list(to: &[Mailbox]) -> String {
    to.iter()
        .map(|m| m.email.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plain-text body.
pub fn body(event: &Event) -> String {
    let mut body = format!("{}\n\n", event.text());
    if !event.endpoint.is_empty() {
        body += &format!("Endpoint: {}\n", event.endpoint);
    }
    body += &format!("Status:   {}\n", event.status);
    body += &format!("Node:     {}\n", event.node);
    body += &format!("Time:     {}\n", event.time());
    if let Some(since) = event.since {
        body += &format!("Since:    {}\n", super::rfc3339(since));
    }
    body += "\n-- \nSent by checkup-rs checker\n";
    body
}

#[async_trait]
impl Channel for Email {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    async fn send(&self, event: &Event) -> Result<(), super::SendError> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(event.title().chars().take(200).collect::<String>())
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = message
            .body(body(event))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                let cause_text = cause.to_string();
                if !text.contains(&cause_text) {
                    text.push_str(": ");
                    text.push_str(&cause_text);
                }
                source = cause.source();
            }
            text.into()
        })
    }
}
