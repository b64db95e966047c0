//! sourcegraph/checkup's `checkup.json`, accepted unchanged: its `checkers`
//! (http, tcp, dns, tls, exec), `storage` (fs, s3) and `concurrent_checks`,
//! with its durations in integer nanoseconds. Each checker is translated into
//! the same raw form as a TOML check and validated by the same code, keeping
//! checkup's defaults where they differ from ours (exact `up_status` or
//! 200-204, redirects not followed, 1 s dial timeouts, 10 s exec timeout).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::ConfigError;
use super::{RawCheck, RawConfig, RawStorage};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckupFile {
    #[serde(default)]
    checkers: Vec<Checker>,
    #[serde(default)]
    concurrent_checks: i64,
    /// checkup stamps every result with this; results here carry their own time.
    #[serde(default)]
    #[allow(dead_code)]
    timestamp: Option<String>,
    storage: Option<Storage>,
    /// Notifications are not configured through checkup.json here.
    #[serde(default)]
    notifiers: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum Checker {
    Http {
        endpoint_name: String,
        endpoint_url: String,
        #[serde(default)]
        up_status: i64,
        #[serde(default)]
        threshold_rtt: i64,
        #[serde(default)]
        must_contain: String,
        #[serde(default)]
        must_not_contain: String,
        #[serde(default)]
        attempts: i64,
        #[serde(default)]
        attempt_spacing: i64,
        #[serde(default)]
        headers: BTreeMap<String, Vec<String>>,
    },
    Tcp {
        endpoint_name: String,
        endpoint_url: String,
        #[serde(default)]
        tls: bool,
        #[serde(default)]
        tls_skip_verify: bool,
        #[serde(default)]
        tls_ca_file: String,
        #[serde(default)]
        timeout: i64,
        #[serde(default)]
        threshold_rtt: i64,
        #[serde(default)]
        attempts: i64,
    },
    Dns {
        endpoint_name: String,
        endpoint_url: String,
        #[serde(default)]
        hostname_fqdn: String,
        #[serde(default)]
        timeout: i64,
        #[serde(default)]
        threshold_rtt: i64,
        #[serde(default)]
        attempts: i64,
    },
    Tls {
        endpoint_name: String,
        endpoint_url: String,
        #[serde(default)]
        timeout: i64,
        #[serde(default)]
        threshold_rtt: i64,
        #[serde(default)]
        attempts: i64,
        #[serde(default)]
        cert_expiry_threshold: i64,
        #[serde(default)]
        trusted_roots: Vec<String>,
    },
    Exec {
        name: String,
        command: String,
        #[serde(default)]
        arguments: Vec<String>,
        #[serde(default)]
        threshold_rtt: i64,
        #[serde(default)]
        must_contain: String,
        #[serde(default)]
        must_not_contain: String,
        #[serde(default)]
        raise: String,
        #[serde(default)]
        attempts: i64,
        #[serde(default)]
        attempt_spacing: i64,
    },
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum Storage {
    Fs {
        dir: String,
        /// Where the page finds the files; the page reads its own config.json.
        #[serde(default)]
        #[allow(dead_code)]
        url: String,
        #[serde(default)]
        check_expiry: i64,
    },
    S3 {
        #[serde(default)]
        access_key_id: String,
        #[serde(default)]
        secret_access_key: String,
        #[serde(default)]
        region: String,
        bucket: String,
        #[serde(default)]
        check_expiry: i64,
    },
}

/// checkup's default when `concurrent_checks` is 0.
const CHECKUP_CONCURRENCY: i64 = 5;

/// Parses checkup.json into the raw config the TOML path validates.
pub fn parse(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let file: CheckupFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let mut message = inner.to_string();
        // Our own position goes in front; drop serde_json's from the end.
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        // Checkers are read as a whole before their fields, so serde_json
        // reports the end of the object: point at the unknown key instead.
        let unknown_key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .and_then(|field| text.find(&format!("\"{field}\"")));
        let (line, column) = match unknown_key {
            Some(offset) => line_column(text, offset),
            None => (inner.line(), inner.column()),
        };
        let key = e.path().to_string();
        json_error(
            path,
            text,
            line,
            column,
            (key != ".").then_some(key),
            message,
        )
    })?;
    if file.concurrent_checks < 0 {
        return Err(json_error(
            path,
            text,
            0,
            0,
            Some("concurrent_checks".into()),
            "must not be negative".into(),
        ));
    }
    if !file.notifiers.is_empty() {
        tracing::warn!(
            "checkup.json `notifiers` are not used by this checker; configure notifications in TOML"
        );
    }
    let concurrency = if file.concurrent_checks == 0 {
        CHECKUP_CONCURRENCY
    } else {
        file.concurrent_checks
    };
    let mut checks = Vec::new();
    for (i, checker) in file.checkers.into_iter().enumerate() {
        checks.push(at(translate(checker).map_err(|message| {
            json_error(path, text, 0, 0, Some(format!("checkers[{i}]")), message)
        })?));
    }
    Ok(RawConfig {
        node: None,
        interval: None,
        concurrency: Some(at(concurrency)),
        state_dir: None,
        storage: file.storage.map(|s| at(translate_storage(s))),
        checks,
        notifiers: Vec::new(),
        maintenance: Vec::new(),
    })
}

fn at<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

fn some_text(s: String) -> Option<Spanned<String>> {
    (!s.is_empty()).then(|| at(s))
}

/// A Go duration (ns) as a human duration; 0 (unset) as `None`.
fn nanos(ns: i64) -> Option<Spanned<String>> {
    (ns != 0).then(|| at(format!("{ns}ns")))
}

/// checkup: fewer than 1 attempt means 1.
fn attempts(n: i64) -> Option<Spanned<i64>> {
    Some(at(n.max(1)))
}

fn empty_check(name: String, kind: &str) -> RawCheck {
    RawCheck {
        name: at(name),
        kind: at(kind.to_string()),
        attempts: None,
        attempt_spacing: None,
        timeout: None,
        threshold_rtt: None,
        url: None,
        method: None,
        headers: None,
        expected_status: None,
        must_contain: None,
        must_not_contain: None,
        max_body_bytes: None,
        body: None,
        follow_redirects: None,
        json_conditions: None,
        header_conditions: None,
        body_regex: None,
        tls_verify: None,
        ca_file: None,
        address: None,
        tls: None,
        server_name: None,
        cert_expiry_threshold: None,
        query: None,
        record_type: None,
        server: None,
        expected_rcode: None,
        answers_contain: None,
        answers_equal: None,
        command: None,
        args: None,
        on_failure: None,
        output_contains: None,
        output_not_contains: None,
        output_regex: None,
    }
}

fn translate(checker: Checker) -> Result<RawCheck, String> {
    Ok(match checker {
        Checker::Http {
            endpoint_name,
            endpoint_url,
            up_status,
            threshold_rtt,
            must_contain,
            must_not_contain,
            attempts: n,
            attempt_spacing,
            headers,
        } => {
            let mut c = empty_check(endpoint_name, "http");
            c.url = Some(at(endpoint_url));
            c.expected_status = Some(at(if up_status > 0 {
                toml::Value::Integer(up_status)
            } else {
                toml::Value::String("200-204".into())
            }));
            c.threshold_rtt = nanos(threshold_rtt);
            c.must_contain = some_text(must_contain);
            c.must_not_contain = some_text(must_not_contain);
            c.attempts = attempts(n);
            c.attempt_spacing = nanos(attempt_spacing);
            c.follow_redirects = Some(at(0));
            c.timeout = Some(at("10s".into()));
            if !headers.is_empty() {
                c.headers = Some(at(headers
                    .into_iter()
                    .map(|(k, v)| (k, v.join(", ")))
                    .collect()));
            }
            c
        }
        Checker::Tcp {
            endpoint_name,
            endpoint_url,
            tls,
            tls_skip_verify,
            tls_ca_file,
            timeout,
            threshold_rtt,
            attempts: n,
        } => {
            let mut c = empty_check(endpoint_name, "tcp");
            c.address = Some(at(endpoint_url));
            if tls {
                c.tls = Some(at(true));
                c.tls_verify = tls_skip_verify.then(|| at(false));
                c.ca_file = some_text(tls_ca_file);
            }
            c.timeout = Some(nanos(timeout).unwrap_or_else(|| at("1s".into())));
            c.threshold_rtt = nanos(threshold_rtt);
            c.attempts = attempts(n);
            c
        }
        Checker::Dns {
            endpoint_name,
            endpoint_url,
            hostname_fqdn,
            timeout,
            threshold_rtt,
            attempts: n,
        } => {
            // Without a name to look up, checkup only connects to the server.
            let mut c = empty_check(
                endpoint_name,
                if hostname_fqdn.is_empty() {
                    "tcp"
                } else {
                    "dns"
                },
            );
            if hostname_fqdn.is_empty() {
                c.address = Some(at(endpoint_url));
            } else {
                c.server = Some(at(endpoint_url));
                c.query = Some(at(hostname_fqdn));
            }
            c.timeout = Some(nanos(timeout).unwrap_or_else(|| at("1s".into())));
            c.threshold_rtt = nanos(threshold_rtt);
            c.attempts = attempts(n);
            c
        }
        Checker::Tls {
            endpoint_name,
            endpoint_url,
            timeout,
            threshold_rtt,
            attempts: n,
            cert_expiry_threshold,
            trusted_roots,
        } => {
            let mut c = empty_check(endpoint_name, "tls");
            c.address = Some(at(endpoint_url));
            c.timeout = nanos(timeout);
            c.threshold_rtt = nanos(threshold_rtt);
            c.attempts = attempts(n);
            c.cert_expiry_threshold = nanos(cert_expiry_threshold);
            match trusted_roots.len() {
                0 => {}
                1 => c.ca_file = trusted_roots.into_iter().next().map(at),
                _ => return Err("trusted_roots: only one file is supported here; concatenate the PEM files into one".into()),
            }
            c
        }
        Checker::Exec {
            name,
            command,
            arguments,
            threshold_rtt,
            must_contain,
            must_not_contain,
            raise,
            attempts: n,
            attempt_spacing,
        } => {
            let mut c = empty_check(name, "exec");
            c.command = Some(at(command));
            c.args = (!arguments.is_empty()).then(|| at(arguments));
            c.threshold_rtt = nanos(threshold_rtt);
            c.output_contains = some_text(must_contain);
            c.output_not_contains = some_text(must_not_contain);
            c.on_failure =
                matches!(raise.as_str(), "warn" | "warning").then(|| at("degraded".into()));
            c.attempts = attempts(n);
            c.attempt_spacing = nanos(attempt_spacing);
            c.timeout = Some(at("10s".into()));
            c
        }
    })
}

fn translate_storage(storage: Storage) -> RawStorage {
    let mut raw = RawStorage {
        kind: at(String::new()),
        dir: None,
        bucket: None,
        prefix: None,
        region: None,
        endpoint: None,
        path_style: None,
        access_key_id: None,
        secret_access_key: None,
        check_expiry: None,
    };
    match storage {
        Storage::Fs {
            dir,
            url: _,
            check_expiry,
        } => {
            raw.kind = at("local".into());
            raw.dir = Some(at(dir));
            raw.check_expiry = nanos(check_expiry);
        }
        Storage::S3 {
            access_key_id,
            secret_access_key,
            region,
            bucket,
            check_expiry,
        } => {
            raw.kind = at("s3".into());
            raw.bucket = Some(at(bucket));
            raw.region = some_text(region);
            // checkup uses static keys only when both are set.
            if !access_key_id.is_empty() && !secret_access_key.is_empty() {
                raw.access_key_id = Some(at(access_key_id));
                raw.secret_access_key = Some(at(secret_access_key));
            }
            raw.check_expiry = nanos(check_expiry);
        }
    }
    raw
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn json_error(
    path: &Path,
    text: &str,
    line: usize,
    column: usize,
    key: Option<String>,
    message: String,
) -> ConfigError {
    let (line, column) = if line == 0 {
        (1, 1)
    } else {
        (line, column.max(1))
    };
    let source_line = text.lines().nth(line - 1).unwrap_or("");
    let gutter = line.to_string().len();
    ConfigError::Invalid {
        file: path.to_path_buf(),
        line,
        column,
        key,
        message,
        excerpt: format!(
            "{:gutter$} |\n{line} | {source_line}\n{:gutter$} | {}^",
            "",
            "",
            " ".repeat(column - 1)
        ),
    }
}
