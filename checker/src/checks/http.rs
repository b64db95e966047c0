//! HTTP(S) checks: a request, an expected status, and optional conditions on
//! the body, read up to a cap so a huge response cannot exhaust memory.

use std::error::Error as _;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::conditions::{self, Condition, json_path};
use super::{Attempted, Builder, Probe};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "http",
    about: "an HTTP(S) request, judged by status, body and headers",
    options: &[
        opt(
            "url",
            "\"https://example.com/health\"",
            "what to request (required)",
        ),
        opt("method", "\"GET\"", "the request method (default GET)"),
        opt(
            "headers",
            "{ Authorization = \"Bearer ...\" }",
            "request headers",
        ),
        opt("body", "'{\"ping\": 1}'", "the request body"),
        opt(
            "expected_status",
            "[200, \"3xx\", \"401-403\"]",
            "statuses that count as up (default: any 2xx)",
        ),
        opt("must_contain", "\"ok\"", "the body must contain this"),
        opt(
            "must_not_contain",
            "\"error\"",
            "... and must not contain this",
        ),
        opt(
            "body_regex",
            "\"build [0-9a-f]{7}\"",
            "... and must match this",
        ),
        opt(
            "json_conditions",
            "[\"status == UP\"]",
            "conditions on the JSON body: path op value",
        ),
        opt(
            "header_conditions",
            "[\"Content-Type contains json\"]",
            "conditions on response headers",
        ),
        opt(
            "max_body_bytes",
            "1048576",
            "read at most this much of the body (default 1 MiB)",
        ),
        opt(
            "follow_redirects",
            "10",
            "follow at most this many redirects; 0 reports the redirect (default 10)",
        ),
        opt(
            "tls_verify",
            "true",
            "verify the server's certificate (default true)",
        ),
        opt("ca_file", "\"ca.pem\"", "also trust these PEM certificates"),
    ],
    build,
};

const DEFAULT_MAX_BODY: i64 = 1024 * 1024;
const DEFAULT_REDIRECTS: i64 = 10;

pub struct HttpProbe {
    client: reqwest::Client,
    url: reqwest::Url,
    method: Method,
    headers: HeaderMap,
    expected: StatusSpec,
    must_contain: Option<String>,
    must_not_contain: Option<String>,
    max_body_bytes: u64,
    body: Option<String>,
    json_conditions: Vec<Condition>,
    header_conditions: Vec<Condition>,
    body_regex: Option<regex::bytes::Regex>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let url = table
        .http_url("url", false)?
        .ok_or_else(|| table.missing("url", "a url"))?;
    let method = table
        .parse("method", |text| {
            Method::from_bytes(text.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("{text:?} is not an HTTP method"))
        })?
        .unwrap_or(Method::GET);
    let expected = match table.value("expected_status") {
        Some(v) => {
            StatusSpec::from_toml(v.get_ref()).map_err(|e| table.error("expected_status", e))?
        }
        None => StatusSpec::default(),
    };
    let max_body_bytes = table
        .integer("max_body_bytes", 1..=i64::MAX)?
        .unwrap_or(DEFAULT_MAX_BODY) as u64;
    let redirects = match table.get::<i64>("follow_redirects")? {
        Some(n) if !(0..=100).contains(&n) => {
            return Err(table.error(
                "follow_redirects",
                "must be between 0 (do not follow) and 100",
            ));
        }
        Some(n) => n,
        None => DEFAULT_REDIRECTS,
    };
    let conditions = |field: &str| -> Result<Vec<Condition>, FieldError> {
        match table.text_list(field)? {
            Some(list) => conditions::parse_all(&list).map_err(|e| table.error(field, e)),
            None => Ok(Vec::new()),
        }
    };
    let settings = ClientSettings {
        redirects,
        accept_invalid_certs: !table.bool("tls_verify")?.unwrap_or(true),
        ca_pem: table.ca_file("ca_file")?.map(|ca| ca.pem),
    };
    let client = shared_client(settings)
        .map_err(|e| table.table_error(format!("cannot set up an HTTP client: {e}")))?;
    Ok(Box::new(HttpProbe {
        client,
        url,
        method,
        headers: table.headers("headers")?,
        expected,
        must_contain: table.non_empty_text("must_contain")?,
        must_not_contain: table.non_empty_text("must_not_contain")?,
        max_body_bytes,
        body: table.text("body")?,
        json_conditions: conditions("json_conditions")?,
        header_conditions: conditions("header_conditions")?,
        body_regex: table.regex("body_regex")?,
    }))
}

/// What makes two checks' HTTP clients differ. Everything else (method,
/// headers, body, timeout) is set per request.
#[derive(PartialEq, Eq)]
struct ClientSettings {
    redirects: i64,
    accept_invalid_certs: bool,
    /// The extra CA file's contents, not its path: a file may change between loads.
    ca_pem: Option<Vec<u8>>,
}

/// One client per distinct settings, shared by every check that has them:
/// building a client loads and parses the system's trusted roots, which is
/// costly per check (BENCHMARKS.md). Sharing keeps a fresh connection per
/// attempt: the clients keep no idle connections.
fn shared_client(settings: ClientSettings) -> Result<reqwest::Client, reqwest::Error> {
    // A few distinct settings at most: a list is enough.
    static CLIENTS: Mutex<Vec<(ClientSettings, reqwest::Client)>> = Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, client)) = clients.iter().find(|(s, _)| *s == settings) {
        return Ok(client.clone());
    }
    let mut builder = reqwest::Client::builder()
        // A fresh connection per attempt, so each RTT includes connecting, as
        // a visitor's first request would.
        .pool_max_idle_per_host(0)
        .user_agent(concat!("checkup-rs/", env!("CARGO_PKG_VERSION")))
        .redirect(if settings.redirects == 0 {
            reqwest::redirect::Policy::none()
        } else {
            reqwest::redirect::Policy::limited(settings.redirects as usize)
        });
    if settings.accept_invalid_certs {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    if let Some(pem) = &settings.ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build()?;
    clients.push((settings, client.clone()));
    Ok(client)
}

#[async_trait]
impl Probe for HttpProbe {
    fn endpoint(&self) -> String {
        self.url.to_string()
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let mut request = self
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone());
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        for condition in &self.header_conditions {
            let value = response
                .headers()
                .get_all(condition.subject.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>();
            let value = (!value.is_empty()).then(|| serde_json::Value::String(value.join(", ")));
            condition.check(value.as_ref())?;
        }
        let body = read_capped(response, self.max_body_bytes).await?;
        if !self.expected.matches(status) {
            return Err(format!("status {status}, expected {}", self.expected));
        }
        if let Some(needle) = &self.must_contain
            && !contains(&body, needle.as_bytes())
        {
            return Err(format!("response body does not contain {needle:?}"));
        }
        if let Some(needle) = &self.must_not_contain
            && contains(&body, needle.as_bytes())
        {
            return Err(format!("response body contains {needle:?}"));
        }
        if let Some(re) = &self.body_regex
            && !re.is_match(&body)
        {
            return Err(format!("response body does not match /{}/", re.as_str()));
        }
        if !self.json_conditions.is_empty() {
            let doc: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
                format!("response body is not JSON ({e}), so its conditions cannot hold")
            })?;
            for condition in &self.json_conditions {
                condition.check(json_path(&doc, &condition.subject))?;
            }
        }
        Ok(Attempted::Ok)
    }
}

/// Reads at most `cap` bytes of the body; the rest is never downloaded.
async fn read_capped(mut response: reqwest::Response, cap: u64) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while (body.len() as u64) < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = (cap - body.len() as u64) as usize;
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(e) => return Err(format!("reading the body failed: {}", describe(&e))),
        }
    }
    Ok(body)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// reqwest's error chain without its "error sending request for url (...)"
/// wrapper: the endpoint is shown beside the error already.
fn describe(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        // A plain socket error at the root says it best: "connection refused".
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && e.is_connect()
            && s.source().is_none()
        {
            return format!("connection failed: {}", super::tcp::describe_io(io));
        }
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request failed"
    };
    // hyper's "client error (Connect)" layer says nothing the kind does not.
    parts.retain(|p| !p.starts_with("client error (") && p != kind);
    if parts.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", parts.join(": "))
    }
}

/// Which response statuses count as up. Default: any 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec(Vec<RangeInclusive<u16>>);

impl Default for StatusSpec {
    fn default() -> Self {
        StatusSpec(vec![200..=299])
    }
}

impl StatusSpec {
    pub fn matches(&self, status: StatusCode) -> bool {
        self.0.iter().any(|r| r.contains(&status.as_u16()))
    }

    /// From `200`, `"2xx"`, `"200-299"`, or a list of these.
    pub fn from_toml(value: &toml::Value) -> Result<StatusSpec, String> {
        let items: Vec<&toml::Value> = match value {
            toml::Value::Array(items) if items.is_empty() => {
                return Err("must list at least one status".into());
            }
            toml::Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        items
            .into_iter()
            .map(range_of)
            .collect::<Result<_, _>>()
            .map(StatusSpec)
    }
}

fn range_of(value: &toml::Value) -> Result<RangeInclusive<u16>, String> {
    const FORMS: &str =
        "write a status like 200, a class like \"2xx\", or a range like \"200-299\"";
    let code = |n: i64| -> Result<u16, String> {
        if (100..=599).contains(&n) {
            Ok(n as u16)
        } else {
            Err(format!("{n} is not an HTTP status (100-599)"))
        }
    };
    match value {
        toml::Value::Integer(n) => code(*n).map(|c| c..=c),
        toml::Value::String(s) => {
            let s = s.trim();
            let b = s.as_bytes();
            if b.len() == 3 && b[0].is_ascii_digit() && s[1..].eq_ignore_ascii_case("xx") {
                let class = i64::from(b[0] - b'0') * 100;
                return Ok(code(class)?..=code(class + 99)?);
            }
            if let Some((lo, hi)) = s.split_once('-') {
                let parse = |t: &str| {
                    t.trim()
                        .parse::<i64>()
                        .map_err(|_| format!("{s:?} is not a status range; {FORMS}"))
                };
                let (lo, hi) = (code(parse(lo)?)?, code(parse(hi)?)?);
                if lo > hi {
                    return Err(format!("{s:?} is an empty range"));
                }
                return Ok(lo..=hi);
            }
            let n = s
                .parse::<i64>()
                .map_err(|_| format!("{s:?} is not a status; {FORMS}"))?;
            code(n).map(|c| c..=c)
        }
        other => Err(format!("{other} is not a status; {FORMS}")),
    }
}

impl fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|r| match (*r.start(), *r.end()) {
                (a, b) if a == b => a.to_string(),
                (a, b) if a % 100 == 0 && b == a + 99 => format!("{}xx", a / 100),
                (a, b) => format!("{a}-{b}"),
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_value: &str) -> Result<StatusSpec, String> {
        let doc: toml::Table = toml::from_str(&format!("v = {toml_value}")).unwrap();
        StatusSpec::from_toml(&doc["v"])
    }

    #[test]
    fn status_specs_in_every_form() {
        assert_eq!(spec("204").unwrap(), StatusSpec(vec![204..=204]));
        assert_eq!(spec("\"3xx\"").unwrap(), StatusSpec(vec![300..=399]));
        assert_eq!(spec("\"200-204\"").unwrap(), StatusSpec(vec![200..=204]));
        let mixed = spec("[200, \"3XX\", \"401-403\"]").unwrap();
        assert!(mixed.matches(StatusCode::from_u16(302).unwrap()));
        assert!(mixed.matches(StatusCode::from_u16(402).unwrap()));
        assert!(!mixed.matches(StatusCode::from_u16(404).unwrap()));
        assert_eq!(mixed.to_string(), "200, 3xx, 401-403");
        assert_eq!(StatusSpec::default().to_string(), "2xx");
    }

    #[test]
    fn bad_status_specs_say_why() {
        assert!(
            spec("700")
                .unwrap_err()
                .contains("700 is not an HTTP status")
        );
        assert!(spec("\"300-200\"").unwrap_err().contains("empty range"));
        assert!(
            spec("\"ok\"")
                .unwrap_err()
                .contains("\"ok\" is not a status")
        );
        assert!(spec("[]").unwrap_err().contains("at least one"));
        assert!(spec("2.5").unwrap_err().contains("not a status"));
    }

    #[test]
    fn body_search() {
        assert!(contains(b"hello world", b"o w"));
        assert!(!contains(b"hello", b"world"));
    }
}
