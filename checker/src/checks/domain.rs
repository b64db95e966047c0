//! Domain expiry checks through RDAP: the registry's own record of when a
//! registration ends. IANA's bootstrap file names each TLD's RDAP server
//! (`rdap_server` overrides it); degraded within `expiry_threshold`, down
//! once expired. Answers are kept a day per domain (failures an hour), so a
//! check every minute asks the registry once a day.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;

use super::{Attempted, Builder, Probe};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const IANA_BOOTSTRAP: &str = "https://data.iana.org/rdap/dns.json";
const DEFAULT_THRESHOLD: Duration = Duration::from_secs(30 * 86_400);
/// How long an answer (and the bootstrap file) is kept.
const KEEP: Duration = Duration::from_secs(86_400);
/// How long a registry's "no such domain" or an unreadable answer is kept.
const KEEP_FAILURE: Duration = Duration::from_secs(3_600);
/// RDAP answers are small; anything larger is not one.
const MAX_ANSWER_BYTES: usize = 1 << 20;

pub const KIND: Kind<Builder> = Kind {
    name: "domain",
    about: "domain registration expiry, from the registry's RDAP service",
    options: &[
        opt(
            "domain",
            "\"example.com\"",
            "the registered domain (required)",
        ),
        opt(
            "expiry_threshold",
            "\"30d\"",
            "degraded when it expires within this (default 30d)",
        ),
        opt(
            "rdap_server",
            "\"https://rdap.verisign.com/com/v1/\"",
            "ask this RDAP server (default: the one IANA's bootstrap names for the TLD)",
        ),
        opt(
            "bootstrap_url",
            "\"https://data.iana.org/rdap/dns.json\"",
            "where to read the bootstrap file (default IANA's; a mirror for closed networks)",
        ),
    ],
    build,
};

pub struct DomainProbe {
    domain: String,
    threshold: Duration,
    server: Option<url::Url>,
    bootstrap: url::Url,
    client: reqwest::Client,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let domain = table
        .required_text("domain")?
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let valid = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !valid {
        return Err(table.error(
            "domain",
            format!(
                "{domain:?} is not a domain name like \"example.com\" (no scheme or path; IDNs in their xn-- form)"
            ),
        ));
    }
    let server = table.http_url("rdap_server", false)?.map(with_slash);
    let bootstrap = table
        .http_url("bootstrap_url", false)?
        .unwrap_or_else(|| url::Url::parse(IANA_BOOTSTRAP).expect("a valid URL"));
    if server.is_some() && table.has("bootstrap_url") {
        return Err(table.error(
            "bootstrap_url",
            "give rdap_server or bootstrap_url, not both",
        ));
    }
    let threshold = table
        .duration("expiry_threshold")?
        .unwrap_or(DEFAULT_THRESHOLD);
    let client = reqwest::Client::builder()
        .user_agent(concat!("checkup-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| table.table_error(format!("cannot set up an HTTP client: {e}")))?;
    Ok(Box::new(DomainProbe {
        domain,
        threshold,
        server,
        bootstrap,
        client,
    }))
}

/// RDAP base URLs end in '/', so joining "domain/x" keeps their path.
fn with_slash(mut url: url::Url) -> url::Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// What the registry said, kept for a while.
#[derive(Debug, Clone)]
enum Answer {
    /// The registration's end and the server that said so.
    Expires(jiff::Timestamp, String),
    /// The registry publishes no expiration date for it.
    NoDate(String),
    /// Not usable: why, in words.
    Failed(String),
}

struct Kept<T> {
    at: Instant,
    value: T,
}

/// Answers per (server, domain) and bootstrap files per URL, for the process.
fn answers() -> &'static Mutex<HashMap<String, Kept<Answer>>> {
    static ANSWERS: OnceLock<Mutex<HashMap<String, Kept<Answer>>>> = OnceLock::new();
    ANSWERS.get_or_init(Default::default)
}

fn bootstraps() -> &'static Mutex<HashMap<String, Kept<Arc<Bootstrap>>>> {
    static FILES: OnceLock<Mutex<HashMap<String, Kept<Arc<Bootstrap>>>>> = OnceLock::new();
    FILES.get_or_init(Default::default)
}

/// IANA's RDAP bootstrap file for DNS (RFC 9224).
#[derive(Debug, Deserialize)]
struct Bootstrap {
    services: Vec<(Vec<String>, Vec<String>)>,
}

impl Bootstrap {
    /// The first HTTPS server listed for the longest suffix of `domain`
    /// the file has an entry for.
    fn server_for(&self, domain: &str) -> Option<url::Url> {
        let labels: Vec<&str> = domain.split('.').collect();
        (0..labels.len()).find_map(|i| {
            let suffix = labels[i..].join(".");
            self.services
                .iter()
                .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(&suffix)))
                .and_then(|(_, urls)| {
                    let parsed: Vec<url::Url> = urls
                        .iter()
                        .filter_map(|u| url::Url::parse(u).ok())
                        .collect();
                    parsed
                        .iter()
                        .find(|u| u.scheme() == "https")
                        .or(parsed.first())
                        .cloned()
                        .map(with_slash)
                })
        })
    }
}

/// The parts of an RDAP domain object (RFC 9083) read here.
#[derive(Debug, Deserialize)]
struct DomainObject {
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "eventAction")]
    action: String,
    #[serde(rename = "eventDate")]
    date: String,
}

impl DomainProbe {
    async fn get(&self, url: url::Url, accept: &str) -> Result<(u16, Vec<u8>), String> {
        let host = url.host_str().unwrap_or_default().to_string();
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(|e| format!("cannot reach {host}: {}", root_cause(&e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("cannot read {host}'s answer: {}", root_cause(&e)))?;
        if body.len() > MAX_ANSWER_BYTES {
            return Err(format!("{host} answered with over 1 MiB"));
        }
        Ok((status, body.to_vec()))
    }

    async fn bootstrap(&self) -> Result<Arc<Bootstrap>, String> {
        let key = self.bootstrap.to_string();
        if let Some(kept) = bootstraps().lock().expect("bootstrap cache").get(&key)
            && kept.at.elapsed() < KEEP
        {
            return Ok(Arc::clone(&kept.value));
        }
        let (status, body) = self.get(self.bootstrap.clone(), "application/json").await?;
        if status != 200 {
            return Err(format!("the RDAP bootstrap file answered HTTP {status}"));
        }
        let file: Bootstrap = serde_json::from_slice(&body)
            .map_err(|e| format!("the RDAP bootstrap file is not readable: {e}"))?;
        let file = Arc::new(file);
        bootstraps().lock().expect("bootstrap cache").insert(
            key,
            Kept {
                at: Instant::now(),
                value: Arc::clone(&file),
            },
        );
        Ok(file)
    }

    /// The server to ask: configured, or from the bootstrap file.
    async fn server(&self) -> Result<url::Url, String> {
        if let Some(server) = &self.server {
            return Ok(server.clone());
        }
        let tld = self.domain.rsplit('.').next().unwrap_or_default();
        self.bootstrap()
            .await?
            .server_for(&self.domain)
            .ok_or_else(|| {
                format!("IANA's RDAP bootstrap lists no server for .{tld}; set rdap_server")
            })
    }

    /// Asks the registry (an error here is about reaching it, and is not kept).
    async fn ask(&self, server: &url::Url) -> Result<Answer, String> {
        let host = server.host_str().unwrap_or_default().to_string();
        let url = server
            .join(&format!("domain/{}", self.domain))
            .map_err(|e| format!("cannot make the RDAP URL: {e}"))?;
        let (status, body) = self.get(url, "application/rdap+json").await?;
        match status {
            200 => {}
            404 => {
                return Ok(Answer::Failed(format!(
                    "{host} has no record of {} (RDAP 404): is it registered?",
                    self.domain
                )));
            }
            429 => return Err(format!("{host} asks to slow down (RDAP 429)")),
            other => return Err(format!("{host} answered HTTP {other}")),
        }
        let object: DomainObject = match serde_json::from_slice(&body) {
            Ok(object) => object,
            Err(e) => {
                return Ok(Answer::Failed(format!(
                    "{host}'s answer is not an RDAP domain object: {e}"
                )));
            }
        };
        let Some(event) = object
            .events
            .iter()
            .find(|e| e.action.eq_ignore_ascii_case("expiration"))
        else {
            return Ok(Answer::NoDate(host));
        };
        match event.date.parse::<jiff::Timestamp>() {
            Ok(at) => Ok(Answer::Expires(at, host)),
            Err(e) => Ok(Answer::Failed(format!(
                "{host} gives the expiration date {:?}, which is not a date: {e}",
                event.date
            ))),
        }
    }
}

/// The innermost cause of a reqwest error ("connection refused").
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The verdict on an answer at `now`.
fn judge(
    domain: &str,
    answer: &Answer,
    now: jiff::Timestamp,
    threshold: Duration,
) -> Result<Attempted, String> {
    match answer {
        Answer::Failed(why) => Err(why.clone()),
        Answer::NoDate(host) => Ok(Attempted::Warning(format!(
            "{host} publishes no expiration date for {domain}"
        ))),
        Answer::Expires(at, host) => {
            let day = at.strftime("%Y-%m-%d");
            let left = at.as_second() - now.as_second();
            if left <= 0 {
                return Err(format!("{domain} expired on {day} (RDAP: {host})"));
            }
            if (left as u64) < threshold.as_secs() {
                let days = left / 86_400;
                let when = match days {
                    0 => "today".to_string(),
                    1 => "in 1 day".to_string(),
                    n => format!("in {n} days"),
                };
                return Ok(Attempted::Warning(format!(
                    "{domain} expires on {day}, {when} (RDAP: {host})"
                )));
            }
            Ok(Attempted::Ok)
        }
    }
}

#[async_trait]
impl Probe for DomainProbe {
    fn endpoint(&self) -> String {
        format!("rdap:{}", self.domain)
    }

    /// The time taken is a cache lookup on most rounds: not a response time.
    fn measures_time(&self) -> bool {
        false
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let server = self.server().await?;
        let key = format!("{server} {}", self.domain);
        let kept = answers()
            .lock()
            .expect("RDAP cache")
            .get(&key)
            .filter(|k| {
                let keep = match k.value {
                    Answer::Failed(_) => KEEP_FAILURE,
                    _ => KEEP,
                };
                k.at.elapsed() < keep
            })
            .map(|k| k.value.clone());
        let answer = match kept {
            Some(answer) => answer,
            None => {
                let answer = self.ask(&server).await?;
                answers().lock().expect("RDAP cache").insert(
                    key,
                    Kept {
                        at: Instant::now(),
                        value: answer.clone(),
                    },
                );
                answer
            }
        };
        judge(
            &self.domain,
            &answer,
            jiff::Timestamp::now(),
            self.threshold,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_listed_suffix_picks_the_server() {
        let file: Bootstrap = serde_json::from_str(
            r#"{"version":"1.0","publication":"2026-11-30T21:00:01Z","description":"RDAP bootstrap file for Domain Name System registrations",
                "services":[[["com","net"],["http://rdap.verisign.com/com/v1/","https://rdap.verisign.com/com/v1/"]],
                            [["uk"],["https://rdap.nominet.uk/uk"]],
                            [["co.uk"],["https://rdap.example/co.uk/"]]]}"#,
        )
        .unwrap();
        assert_eq!(
            file.server_for("www.example.com").unwrap().as_str(),
            "https://rdap.verisign.com/com/v1/"
        );
        assert_eq!(
            file.server_for("example.co.uk").unwrap().as_str(),
            "https://rdap.example/co.uk/"
        );
        assert_eq!(
            file.server_for("example.uk").unwrap().as_str(),
            "https://rdap.nominet.uk/uk/"
        );
        assert!(file.server_for("example.test").is_none());
    }

    #[test]
    fn expiry_is_judged_against_the_threshold() {
        let now: jiff::Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
        let at = |s: &str| Answer::Expires(s.parse().unwrap(), "rdap.example".into());
        let month = Duration::from_secs(30 * 86_400);
        assert_eq!(
            judge("a.com", &at("2027-06-01T00:00:00Z"), now, month),
            Ok(Attempted::Ok)
        );
        assert_eq!(
            judge("a.com", &at("2026-12-08T13:00:00Z"), now, month),
            Ok(Attempted::Warning(
                "a.com expires on 2026-12-08, in 3 days (RDAP: rdap.example)".into()
            ))
        );
        assert_eq!(
            judge("a.com", &at("2026-12-01T00:00:00Z"), now, month),
            Err("a.com expired on 2026-12-01 (RDAP: rdap.example)".into())
        );
    }
}
