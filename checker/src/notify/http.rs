//! What the HTTP channels share: an HTTP
//! client with a timeout and optional extra CA, and a JSON POST whose failure
//! says what the receiver answered.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::{Retry, SendError};
use crate::options::FieldError;
use crate::options::{CaFile, Table};

/// A client for one notifier; `ca` adds trusted CAs.
pub fn client(
    table: &Table,
    timeout: Duration,
    ca: Option<&CaFile>,
) -> Result<reqwest::Client, FieldError> {
    let mut builder = reqwest::Client::builder()
        // The whole attempt is bounded by `Notifier::send_once`; this only
        // keeps a dead address from using all of it on connecting.
        .connect_timeout(timeout)
        .user_agent(concat!("checkup-rs/", env!("CARGO_PKG_VERSION")))
        // A webhook that redirects elsewhere is misconfigured; do not resend the body.
        .redirect(reqwest::redirect::Policy::none());
    if let Some(ca) = ca {
        let certs = reqwest::Certificate::from_pem_bundle(&ca.pem)
            .map_err(|e| table.error("ca_file", format!("is not PEM certificates: {e}")))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| table.table_error(format!("cannot set up an HTTP client: {e}")))
}

/// The URL of a webhook-like notifier (`url` or `url_env`), http(s) only.
pub fn webhook_url(table: &Table) -> Result<url::Url, FieldError> {
    table
        .http_url("url", true)?
        .ok_or_else(|| table.missing("url", "url (or url_env)"))
}

/// A URL for people: scheme, host and port, with the path (which may hold a
/// token) left out.
pub fn url_for_people(url: &url::Url) -> String {
    let mut shown = url.origin().ascii_serialization();
    if url.path() != "/" || url.query().is_some() {
        shown.push_str("/…");
    }
    shown
}

/// Headers carrying a secret (`Authorization: Bearer <token>`, or another
/// header name and scheme), refused with the key it came from when HTTP
/// cannot carry it.
pub fn secret_header(
    table: &Table,
    field: &str,
    name: reqwest::header::HeaderName,
    scheme: &str,
    secret: &str,
) -> Result<HeaderMap, FieldError> {
    let text = if scheme.is_empty() {
        secret.trim().to_string()
    } else {
        format!("{scheme} {}", secret.trim())
    };
    let mut value = reqwest::header::HeaderValue::from_str(&text).map_err(|_| {
        table.error(
            &table.secret_key(field),
            "cannot be sent in an HTTP header (it holds a line break or other control character)",
        )
    })?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(name, value);
    Ok(headers)
}

/// POSTs `body` as JSON; any 2xx is success. See [`answered`] for failures.
pub async fn post_json(
    client: &reqwest::Client,
    url: &url::Url,
    headers: &HeaderMap,
    body: &serde_json::Value,
) -> Result<(), SendError> {
    let response = client
        .post(url.clone())
        .headers(headers.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| SendError::from(describe_error(e)))?;
    answered(response).await
}

/// A 2xx is success. Otherwise the error names the status and the start of
/// what the receiver said (services explain refusals there; it never holds
/// our secrets, which go in URLs and headers), and says whether to retry:
/// after `Retry-After` for a 429 or 503 that gives one, with the usual
/// pause for other 5xx and 429, never for another 4xx.
pub async fn answered(response: reqwest::Response) -> Result<(), SendError> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let text: String = text.trim().chars().take(200).collect();
    let message = if text.is_empty() {
        format!("the receiver answered {status}")
    } else {
        format!("the receiver answered {status}: {text}")
    };
    let code = status.as_u16();
    let retry = match (code, retry_after) {
        (429 | 503, Some(after)) => Retry::After(after),
        (429, None) => Retry::Backoff,
        (400..=499, _) => Retry::Never,
        _ => Retry::Backoff,
    };
    Err(SendError { message, retry })
}

/// reqwest's error in words, without the URL (which may hold a token):
/// "cannot connect: Connection refused (os error 111)", "timed out", or the
/// error with its causes.
pub fn describe_error(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    if err.is_timeout() {
        return "timed out".into();
    }
    if err.is_connect()
        && let Some(root) = causes.last()
    {
        return format!("cannot connect: {root}");
    }
    let mut text = err.to_string();
    for cause in causes {
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
