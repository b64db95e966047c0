//! Email over SMTP with lettre: STARTTLS (default), implicit TLS, or plain
//! (for a relay on loopback), with optional authentication. TLS is rustls
//! with the system's roots plus an optional `ca_file`.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use toml::Spanned;

use super::registry::{ca_pem, required, secret};
use super::{Channel, Event};
use crate::config::{FieldError, RawNotifier};

pub const KEYS: &[&str] = &[
    "host",
    "port",
    "tls",
    "username",
    "password",
    "password_env",
    "from",
    "to",
    "ca_file",
];

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

pub fn build(
    raw: &Spanned<RawNotifier>,
    key: &str,
    timeout: Duration,
) -> Result<Box<dyn Channel>, FieldError> {
    let n = raw.get_ref();
    let field = |f: &str| format!("{key}.{f}");
    let host = required(&n.host, raw, key, "host")?
        .get_ref()
        .trim()
        .to_string();
    let mode = match &n.tls {
        None => Mode::StartTls,
        Some(v) => match v.get_ref().as_str() {
            "starttls" => Mode::StartTls,
            "tls" => Mode::Implicit,
            "none" => Mode::Plain,
            other => {
                return Err(FieldError::new(
                    v.span(),
                    field("tls"),
                    format!(
                        "{other:?} is not a TLS mode; use \"starttls\" (default, port 587), \"tls\" (implicit, port 465) or \"none\" (a relay on this machine)"
                    ),
                ));
            }
        },
    };
    let port = match &n.port {
        Some(v) if !(1..=65535).contains(v.get_ref()) => {
            return Err(FieldError::new(
                v.span(),
                field("port"),
                format!("{} is not a port", v.get_ref()),
            ));
        }
        Some(v) => *v.get_ref() as u16,
        None => match mode {
            Mode::StartTls => 587,
            Mode::Implicit => 465,
            Mode::Plain => 25,
        },
    };
    let password = secret(&n.password, &n.password_env, key, "password")?;
    let credentials = match (&n.username, password) {
        (Some(user), Some(password)) => Some(Credentials::new(user.get_ref().clone(), password)),
        (None, None) => None,
        (Some(user), None) => {
            return Err(FieldError::new(
                user.span(),
                field("password"),
                "is needed with username (or password_env)",
            ));
        }
        (None, Some(_)) => {
            let span = n
                .password
                .as_ref()
                .or(n.password_env.as_ref())
                .map_or(raw.span(), |v| v.span());
            return Err(FieldError::new(
                span,
                field("username"),
                "is needed with a password",
            ));
        }
    };
    if mode == Mode::Plain && credentials.is_some() && !is_loopback(&host) {
        let span = n.tls.as_ref().map_or(raw.span(), |v| v.span());
        return Err(FieldError::new(
            span,
            field("tls"),
            format!(
                "\"none\" would send the password in clear text to {host}; use \"starttls\" or \"tls\" (plain is for a relay on this machine)"
            ),
        ));
    }
    let mailbox = |v: &Spanned<String>, name: &str| -> Result<Mailbox, FieldError> {
        v.get_ref().parse().map_err(|e| {
            FieldError::new(
                v.span(),
                field(name),
                format!("{:?} is not an email address: {e}", v.get_ref()),
            )
        })
    };
    let from = mailbox(required(&n.from, raw, key, "from")?, "from")?;
    let to = match &n.to {
        Some(list) if !list.get_ref().is_empty() => list
            .get_ref()
            .iter()
            .map(|a| mailbox(a, "to"))
            .collect::<Result<Vec<_>, _>>()?,
        Some(list) => {
            return Err(FieldError::new(
                list.span(),
                field("to"),
                "names no recipients",
            ));
        }
        None => {
            return Err(FieldError::new(
                raw.span(),
                field("to"),
                "email notifiers need to = [\"someone@example.com\"]",
            ));
        }
    };
    let tls = match mode {
        Mode::Plain => {
            if let Some(v) = &n.ca_file {
                return Err(FieldError::new(
                    v.span(),
                    field("ca_file"),
                    "only applies with tls = \"starttls\" or \"tls\"",
                ));
            }
            Tls::None
        }
        _ => {
            let mut params = TlsParameters::builder(host.clone());
            if let Some(pem) = ca_pem(&n.ca_file, key)? {
                let span = n.ca_file.as_ref().map_or(raw.span(), |v| v.span());
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    FieldError::new(span, field("ca_file"), format!("cannot be used: {e}"))
                })?;
                params = params.add_root_certificate(cert);
            }
            let params = params
                .build_rustls()
                .map_err(|e| FieldError::new(raw.span(), key, format!("cannot set up TLS: {e}")))?;
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

    async fn send(&self, event: &Event) -> Result<(), String> {
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
            text
        })
    }
}
