//! One plugin table as written (a `[[checks]]`, `[[notifiers]]` or
//! `[storage]` table) and the field rules every kind reads it with: required
//! text, numbers in range, durations, URLs, secrets from `*_env`, CA files.
//! Each rule's error points at the value and names its key.

use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde::de::DeserializeOwned;
use toml::Spanned;

use super::{FieldError, parse_duration};

/// A plugin table as the TOML file holds it: every key and value with its position.
pub type RawTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// A raw table built in code (from checkup.json), without positions.
pub fn table_of(values: impl IntoIterator<Item = (&'static str, toml::Value)>) -> RawTable {
    values
        .into_iter()
        .map(|(k, v)| (Spanned::new(0..0, k.to_string()), Spanned::new(0..0, v)))
        .collect()
}

/// A CA file that was read and holds at least one PEM certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFile {
    pub path: PathBuf,
    /// The file as read, for clients that take PEM (reqwest, lettre).
    pub pem: Vec<u8>,
    pub certificates: Vec<CertificateDer<'static>>,
}

/// One table being read by its kind: its values, where it is in the file
/// (`checks[3]`), and what it configures, for messages ("http checks").
pub struct Table<'a> {
    raw: &'a Spanned<RawTable>,
    path: String,
    what: String,
    /// The keys a kind has looked at, so a set key no code reads is caught.
    read: std::cell::RefCell<Vec<String>>,
}

impl<'a> Table<'a> {
    /// `path` is where the table is (`checks[3]`, `storage`); `what` names
    /// its kind in messages (`http checks`, `s3 storage`).
    pub fn new(
        raw: &'a Spanned<RawTable>,
        path: impl Into<String>,
        what: impl Into<String>,
    ) -> Self {
        Table {
            raw,
            path: path.into(),
            what: what.into(),
            read: Default::default(),
        }
    }

    /// After a kind has built itself: an error for a key that is set but
    /// was never read, which would otherwise be ignored without a word. A
    /// kind that declares an option must read it.
    pub fn ensure_all_read(&self) -> Result<(), FieldError> {
        let read = self.read.borrow();
        match self.keys().find(|(k, _)| !read.iter().any(|r| r == k)) {
            Some((key, span)) => Err(FieldError::new(
                span,
                self.key(key),
                format!(
                    "is declared by {} but not read (a bug; please report it)",
                    self.what
                ),
            )),
            None => Ok(()),
        }
    }

    /// Where the table is: `checks[3]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The full key of `field`: `checks[3].url`.
    pub fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.path)
    }

    /// The keys that are set, with the positions of the keys themselves.
    pub fn keys(&self) -> impl Iterator<Item = (&'a str, Range<usize>)> + 'a {
        self.raw
            .get_ref()
            .keys()
            .map(|k| (k.get_ref().as_str(), k.span()))
    }

    pub fn value(&self, field: &str) -> Option<&'a Spanned<toml::Value>> {
        let mut read = self.read.borrow_mut();
        if !read.iter().any(|r| r == field) {
            read.push(field.to_string());
        }
        drop(read);
        self.raw
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref() == field)
            .map(|(_, v)| v)
    }

    pub fn has(&self, field: &str) -> bool {
        self.value(field).is_some()
    }

    /// Where `field`'s value is, or the table when it is not set.
    pub fn span_of(&self, field: &str) -> Range<usize> {
        self.value(field).map_or(self.raw.span(), |v| v.span())
    }

    /// An error about `field`, pointing at its value (or the table).
    pub fn error(&self, field: &str, message: impl Into<String>) -> FieldError {
        FieldError::new(self.span_of(field), self.key(field), message)
    }

    /// An error about the table as a whole.
    pub fn table_error(&self, message: impl Into<String>) -> FieldError {
        FieldError::new(self.raw.span(), self.path.clone(), message)
    }

    /// `field` as a `T`, with serde's words for a wrong type ("invalid type:
    /// integer `60`, expected a string").
    pub fn get<T: DeserializeOwned>(&self, field: &str) -> Result<Option<T>, FieldError> {
        self.value(field)
            .map(|v| {
                T::deserialize(v.get_ref().clone()).map_err(|e| self.error(field, e.message()))
            })
            .transpose()
    }

    /// Any text, empty included.
    pub fn text(&self, field: &str) -> Result<Option<String>, FieldError> {
        self.get(field)
    }

    /// Text that is not empty when given.
    pub fn non_empty_text(&self, field: &str) -> Result<Option<String>, FieldError> {
        match self.text(field)? {
            Some(t) if t.is_empty() => Err(self.error(field, "must not be empty")),
            other => Ok(other),
        }
    }

    /// Text that must be given and not blank ("tls checks need address").
    pub fn required_text(&self, field: &str) -> Result<String, FieldError> {
        match self.text(field)? {
            Some(t) if t.trim().is_empty() => Err(self.error(field, "must not be empty")),
            Some(t) => Ok(t),
            None => Err(self.missing(field, field)),
        }
    }

    /// The error for a required `field` that is not set; `what` says what it
    /// is ("url (or url_env)").
    pub fn missing(&self, field: &str, what: &str) -> FieldError {
        // "http checks need", "s3 storage needs".
        let verb = if self.what.ends_with('s') {
            "need"
        } else {
            "needs"
        };
        FieldError::new(
            self.raw.span(),
            self.key(field),
            format!("{} {verb} {what}", self.what),
        )
    }

    pub fn bool(&self, field: &str) -> Result<Option<bool>, FieldError> {
        self.get(field)
    }

    /// A whole number in `range`: "must be between 1 and 100, not 0", or
    /// "must be at least 1" for a range without an upper end.
    pub fn integer(
        &self,
        field: &str,
        range: RangeInclusive<i64>,
    ) -> Result<Option<i64>, FieldError> {
        match self.get::<i64>(field)? {
            Some(n) if !range.contains(&n) => Err(self.error(
                field,
                if *range.end() == i64::MAX {
                    format!("must be at least {}", range.start())
                } else {
                    format!(
                        "must be between {} and {}, not {n}",
                        range.start(),
                        range.end()
                    )
                },
            )),
            other => Ok(other),
        }
    }

    /// A human duration ("250ms", "1h 30m").
    pub fn duration(&self, field: &str) -> Result<Option<Duration>, FieldError> {
        self.parse(field, parse_duration)
    }

    /// A duration that must be more than zero when given.
    pub fn positive_duration(&self, field: &str) -> Result<Option<Duration>, FieldError> {
        match self.duration(field)? {
            Some(d) if d.is_zero() => Err(self.error(field, "must be more than 0s")),
            other => Ok(other),
        }
    }

    /// Text turned into a `T` by `parse`, whose error text becomes the message.
    pub fn parse<T>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, FieldError> {
        self.text(field)?
            .map(|t| parse(&t).map_err(|e| self.error(field, e)))
            .transpose()
    }

    /// A list of texts.
    pub fn text_list(&self, field: &str) -> Result<Option<Vec<String>>, FieldError> {
        self.get(field)
    }

    /// A table of texts, `{ Name = "value" }`.
    pub fn text_table(&self, field: &str) -> Result<Option<BTreeMap<String, String>>, FieldError> {
        self.get(field)
    }

    /// A `headers` table as request headers, refusing a name or value HTTP
    /// cannot carry with its key (`checks[0].headers.X-Token`).
    pub fn headers(&self, field: &str) -> Result<reqwest::header::HeaderMap, FieldError> {
        use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
        let mut map = HeaderMap::new();
        for (name, value) in self.text_table(field)?.unwrap_or_default() {
            let bad = |what: &str| {
                FieldError::new(
                    self.span_of(field),
                    format!("{}.{name}", self.key(field)),
                    format!("is not a valid header {what}"),
                )
            };
            map.append(
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?,
                HeaderValue::from_str(&value).map_err(|_| bad("value"))?,
            );
        }
        Ok(map)
    }

    pub fn regex(&self, field: &str) -> Result<Option<regex::bytes::Regex>, FieldError> {
        self.parse(field, |t| {
            regex::bytes::Regex::new(t)
                .map_err(|e| format!("is not a valid regular expression: {e}"))
        })
    }

    /// `host:port`, with the port required.
    pub fn host_port(&self, field: &str) -> Result<Option<(String, u16)>, FieldError> {
        self.parse(field, |text| {
            let bad = || {
                format!("{text:?} is not host:port (e.g. \"db.example.com:5432\", \"[::1]:443\")")
            };
            let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
            let port: u16 = port.parse().map_err(|_| bad())?;
            if host.is_empty() || port == 0 {
                return Err(bad());
            }
            Ok((host.to_string(), port))
        })
    }

    /// An http(s) URL. The text is not repeated in errors when `secret`
    /// (webhook URLs carry their token).
    pub fn http_url(&self, field: &str, secret: bool) -> Result<Option<url::Url>, FieldError> {
        let text = if secret {
            self.secret(field)?
        } else {
            self.text(field)?
        };
        let Some(text) = text else { return Ok(None) };
        let at = if self.has(field) {
            field.to_string()
        } else {
            format!("{field}_env")
        };
        let bad = |message: String| FieldError::new(self.span_of(&at), self.key(field), message);
        let parsed = url::Url::parse(text.trim()).map_err(|e| {
            bad(if secret {
                format!("is not a valid URL: {e}")
            } else {
                format!("{text:?} is not a valid URL: {e}")
            })
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad(format!(
                "must start with http:// or https://, not {}://",
                parsed.scheme()
            )));
        }
        Ok(Some(parsed))
    }

    /// A secret given inline (`field`) or read from the environment variable
    /// named by `<field>_env`; at most one of the two. `None` when neither is set.
    pub fn secret(&self, field: &str) -> Result<Option<String>, FieldError> {
        let env_field = format!("{field}_env");
        let inline = self.text(field)?;
        let from_env = self.text(&env_field)?;
        match (inline, from_env) {
            (Some(_), Some(_)) => {
                Err(self.error(&env_field, format!("give {field} or {env_field}, not both")))
            }
            (Some(v), None) => Ok(Some(v)),
            (None, Some(name)) => match std::env::var(&name) {
                Ok(value) if !value.is_empty() => Ok(Some(value)),
                _ => Err(self.error(
                    &env_field,
                    format!("the environment variable {name} is not set (or empty)"),
                )),
            },
            (None, None) => Ok(None),
        }
    }

    /// A secret that must be given, as `field` or `<field>_env`.
    pub fn required_secret(&self, field: &str) -> Result<String, FieldError> {
        self.secret(field)?.ok_or_else(|| {
            self.missing(
                &format!("{field}_env"),
                &format!("{field}_env (or {field})"),
            )
        })
    }

    /// The key a secret was given under (`token` or `token_env`), for an
    /// error about its value.
    pub fn secret_key(&self, field: &str) -> String {
        if self.has(field) {
            field.to_string()
        } else {
            format!("{field}_env")
        }
    }

    /// A readable file of PEM certificates, trusted besides the system's
    /// roots. Relative paths are kept as written: the checker runs from its
    /// working directory, as systemd sets it.
    pub fn ca_file(&self, field: &str) -> Result<Option<CaFile>, FieldError> {
        let Some(text) = self.text(field)? else {
            return Ok(None);
        };
        let path = PathBuf::from(&text);
        let pem = std::fs::read(&path)
            .map_err(|e| self.error(field, format!("{text} is not a readable file: {e}")))?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(field, format!("{text} is not valid PEM: {e}")))?;
        if certificates.is_empty() {
            return Err(self.error(field, format!("{text} holds no PEM certificates")));
        }
        Ok(Some(CaFile {
            path,
            pem,
            certificates,
        }))
    }
}

/// An optional `checks = ["name", ...]` list of a notifier or maintenance
/// window at `key`: each must name a configured check. `None` = all checks.
pub fn check_list(
    value: &Option<Spanned<Vec<Spanned<String>>>>,
    key: &str,
    check_names: &[&str],
) -> Result<Option<Vec<String>>, FieldError> {
    let Some(list) = value else { return Ok(None) };
    if list.get_ref().is_empty() {
        return Err(FieldError::new(
            list.span(),
            format!("{key}.checks"),
            "is empty; leave it out to cover every check",
        ));
    }
    let mut names = Vec::new();
    for name in list.get_ref() {
        if !check_names.contains(&name.get_ref().as_str()) {
            return Err(FieldError::new(
                name.span(),
                format!("{key}.checks"),
                format!(
                    "no check is named {:?}; the checks are: {}",
                    name.get_ref(),
                    check_names.join(", ")
                ),
            ));
        }
        names.push(name.get_ref().clone());
    }
    Ok(Some(names))
}

/// Parses a spanned human duration, naming `key` on error.
pub fn duration(value: &Spanned<String>, key: &str) -> Result<Duration, FieldError> {
    parse_duration(value.get_ref()).map_err(|e| FieldError::new(value.span(), key, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Spanned<RawTable> {
        #[derive(serde::Deserialize)]
        struct Doc {
            t: Spanned<RawTable>,
        }
        toml::from_str::<Doc>(text).unwrap().t
    }

    #[test]
    fn a_set_key_that_no_code_reads_is_an_error_not_ignored() {
        let raw = raw("[t]\nread = 1\nforgotten = \"x\"\n");
        let table = Table::new(&raw, "checks[0]", "test checks");
        assert_eq!(table.integer("read", 0..=9).unwrap(), Some(1));
        let e = table.ensure_all_read().unwrap_err();
        assert_eq!(e.key, "checks[0].forgotten");
        assert!(e.message.contains("not read"), "{}", e.message);
        assert!(table.has("forgotten"));
        assert!(table.ensure_all_read().is_ok());
    }

    #[test]
    fn wrong_types_get_serdes_words_at_the_value() {
        let raw = raw("[t]\nflag = \"yes\"\n");
        let table = Table::new(&raw, "storage", "s3 storage");
        let e = table.bool("flag").unwrap_err();
        assert_eq!(e.key, "storage.flag");
        assert_eq!(
            e.message,
            "invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(e.span, table.span_of("flag"));
    }

    #[test]
    fn secrets_come_inline_or_from_the_environment_not_both() {
        let raw = raw("[t]\nurl = \"a\"\nurl_env = \"B\"\n");
        let table = Table::new(&raw, "notifiers[0]", "webhook notifiers");
        let e = table.secret("url").unwrap_err();
        assert_eq!(e.key, "notifiers[0].url_env");
        assert_eq!(e.message, "give url or url_env, not both");
    }
}
