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

use super::RawConfig;
use super::error::ConfigError;
use crate::options::RawTable;

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
        status_page: None,
        listen: None,
    })
}

fn at<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// A table being filled from checkup.json: only values that are set go in.
#[derive(Default)]
struct Builder(Vec<(&'static str, toml::Value)>);

impl Builder {
    fn new(name: String, kind: &str) -> Builder {
        let mut b = Builder::default();
        b.set("name", name);
        b.set("type", kind);
        b
    }

    fn set(&mut self, key: &'static str, value: impl Into<toml::Value>) {
        self.0.push((key, value.into()));
    }

    /// Text that checkup leaves empty when unset.
    fn text(&mut self, key: &'static str, text: String) {
        if !text.is_empty() {
            self.set(key, text);
        }
    }

    /// A Go duration (ns) as a human duration; 0 means unset.
    fn nanos(&mut self, key: &'static str, ns: i64) {
        if ns != 0 {
            self.set(key, format!("{ns}ns"));
        }
    }

    /// A Go duration (ns), or `default` when unset.
    fn nanos_or(&mut self, key: &'static str, ns: i64, default: &str) {
        if ns != 0 {
            self.nanos(key, ns);
        } else {
            self.set(key, default);
        }
    }

    /// checkup: fewer than 1 attempt means 1.
    fn attempts(&mut self, n: i64) {
        self.set("attempts", n.max(1));
    }

    fn build(self) -> RawTable {
        crate::options::fields::table_of(self.0)
    }
}

fn translate(checker: Checker) -> Result<RawTable, String> {
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
            let mut c = Builder::new(endpoint_name, "http");
            c.set("url", endpoint_url);
            if up_status > 0 {
                c.set("expected_status", up_status);
            } else {
                c.set("expected_status", "200-204");
            }
            c.nanos("threshold_rtt", threshold_rtt);
            c.text("must_contain", must_contain);
            c.text("must_not_contain", must_not_contain);
            c.attempts(n);
            c.nanos("attempt_spacing", attempt_spacing);
            c.set("follow_redirects", 0);
            c.set("timeout", "10s");
            if !headers.is_empty() {
                let table: toml::Table = headers
                    .into_iter()
                    .map(|(k, v)| (k, toml::Value::String(v.join(", "))))
                    .collect();
                c.set("headers", table);
            }
            c.build()
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
            let mut c = Builder::new(endpoint_name, "tcp");
            c.set("address", endpoint_url);
            if tls {
                c.set("tls", true);
                if tls_skip_verify {
                    c.set("tls_verify", false);
                }
                c.text("ca_file", tls_ca_file);
            }
            c.nanos_or("timeout", timeout, "1s");
            c.nanos("threshold_rtt", threshold_rtt);
            c.attempts(n);
            c.build()
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
            let mut c = if hostname_fqdn.is_empty() {
                let mut c = Builder::new(endpoint_name, "tcp");
                c.set("address", endpoint_url);
                c
            } else {
                let mut c = Builder::new(endpoint_name, "dns");
                c.set("server", endpoint_url);
                c.set("query", hostname_fqdn);
                c
            };
            c.nanos_or("timeout", timeout, "1s");
            c.nanos("threshold_rtt", threshold_rtt);
            c.attempts(n);
            c.build()
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
            let mut c = Builder::new(endpoint_name, "tls");
            c.set("address", endpoint_url);
            c.nanos("timeout", timeout);
            c.nanos("threshold_rtt", threshold_rtt);
            c.attempts(n);
            c.nanos("cert_expiry_threshold", cert_expiry_threshold);
            match trusted_roots.len() {
                0 => {}
                1 => c.text("ca_file", trusted_roots.into_iter().next().unwrap_or_default()),
                _ => return Err("trusted_roots: only one file is supported here; concatenate the PEM files into one".into()),
            }
            c.build()
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
            let mut c = Builder::new(name, "exec");
            c.set("command", command);
            if !arguments.is_empty() {
                c.set("args", arguments);
            }
            c.nanos("threshold_rtt", threshold_rtt);
            c.text("output_contains", must_contain);
            c.text("output_not_contains", must_not_contain);
            if matches!(raise.as_str(), "warn" | "warning") {
                c.set("on_failure", "degraded");
            }
            c.attempts(n);
            c.nanos("attempt_spacing", attempt_spacing);
            c.set("timeout", "10s");
            c.build()
        }
    })
}

fn translate_storage(storage: Storage) -> RawTable {
    let mut raw = Builder::default();
    match storage {
        Storage::Fs {
            dir,
            url: _,
            check_expiry,
        } => {
            raw.set("type", "local");
            raw.set("dir", dir);
            raw.nanos("check_expiry", check_expiry);
        }
        Storage::S3 {
            access_key_id,
            secret_access_key,
            region,
            bucket,
            check_expiry,
        } => {
            raw.set("type", "s3");
            raw.set("bucket", bucket);
            raw.text("region", region);
            // checkup uses static keys only when both are set.
            if !access_key_id.is_empty() && !secret_access_key.is_empty() {
                raw.set("access_key_id", access_key_id);
                raw.set("secret_access_key", secret_access_key);
            }
            raw.nanos("check_expiry", check_expiry);
        }
    }
    raw.build()
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
