//! Reading kind-specific values out of a raw check, with errors that point at
//! the value and name its key. Shared by the kind modules.

use std::path::PathBuf;

use toml::Spanned;

use super::conditions::{self, Condition};
use crate::config::FieldError;

/// Names `key.field` for messages.
pub fn key(check_key: &str, field: &str) -> String {
    format!("{check_key}.{field}")
}

/// A required string, non-empty.
pub fn required<'a>(
    value: &'a Option<Spanned<String>>,
    table: &Spanned<crate::config::RawCheck>,
    check_key: &str,
    field: &str,
    kind: &str,
) -> Result<&'a Spanned<String>, FieldError> {
    match value {
        Some(v) if v.get_ref().trim().is_empty() => Err(FieldError::new(
            v.span(),
            key(check_key, field),
            "must not be empty",
        )),
        Some(v) => Ok(v),
        None => Err(FieldError::new(
            table.span(),
            key(check_key, field),
            format!("{kind} checks need {field}"),
        )),
    }
}

/// An optional non-empty string.
pub fn optional_text(
    value: &Option<Spanned<String>>,
    check_key: &str,
    field: &str,
) -> Result<Option<String>, FieldError> {
    match value {
        Some(s) if s.get_ref().is_empty() => Err(FieldError::new(
            s.span(),
            key(check_key, field),
            "must not be empty",
        )),
        Some(s) => Ok(Some(s.get_ref().clone())),
        None => Ok(None),
    }
}

pub fn conditions(
    value: &Option<Spanned<Vec<String>>>,
    check_key: &str,
    field: &str,
) -> Result<Vec<Condition>, FieldError> {
    match value {
        Some(v) => conditions::parse_all(v.get_ref())
            .map_err(|e| FieldError::new(v.span(), key(check_key, field), e)),
        None => Ok(Vec::new()),
    }
}

pub fn regex(
    value: &Option<Spanned<String>>,
    check_key: &str,
    field: &str,
) -> Result<Option<regex::bytes::Regex>, FieldError> {
    match value {
        Some(v) => regex::bytes::Regex::new(v.get_ref())
            .map(Some)
            .map_err(|e| {
                FieldError::new(
                    v.span(),
                    key(check_key, field),
                    format!("is not a valid regular expression: {e}"),
                )
            }),
        None => Ok(None),
    }
}

/// A CA file that exists (relative paths are kept as written: the checker
/// runs from its working directory, as systemd sets it).
pub fn ca_file(
    value: &Option<Spanned<String>>,
    check_key: &str,
) -> Result<Option<PathBuf>, FieldError> {
    match value {
        Some(v) => {
            let path = PathBuf::from(v.get_ref());
            if !path.is_file() {
                return Err(FieldError::new(
                    v.span(),
                    key(check_key, "ca_file"),
                    format!("{} is not a readable file", path.display()),
                ));
            }
            Ok(Some(path))
        }
        None => Ok(None),
    }
}

/// `host:port`, with the port required.
pub fn host_port(
    value: &Spanned<String>,
    check_key: &str,
    field: &str,
) -> Result<(String, u16), FieldError> {
    let text = value.get_ref();
    let bad = || {
        FieldError::new(
            value.span(),
            key(check_key, field),
            format!("{text:?} is not host:port (e.g. \"db.example.com:5432\", \"[::1]:443\")"),
        )
    };
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}
