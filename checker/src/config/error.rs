//! Config errors that point at the offending key: file, line, column, and the
//! line itself, the way a compiler would.

use std::ops::Range;
use std::path::{Path, PathBuf};

pub use crate::options::FieldError;

/// Why a config could not be used. Displayed as one self-contained message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {}{message}\n{excerpt}", file.display(), key.as_deref().map(|k| format!("{k}: ")).unwrap_or_default())]
    Invalid {
        file: PathBuf,
        line: usize,
        column: usize,
        /// The key path, when known.
        key: Option<String>,
        message: String,
        /// The offending line with a caret under the value.
        excerpt: String,
    },
}

impl ConfigError {
    /// From a TOML syntax or type error, which carries a span but no key path.
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
        let span = err.span().unwrap_or(0..0);
        let message = err.message().trim().to_string();
        // toml names an unknown key but not where it sits: add the table path.
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .map(|field| match table_path_at(text, span.start) {
                Some(table) => format!("{table}.{field}"),
                None => field.to_string(),
            });
        invalid(file, text, span, key, message)
    }

    pub fn from_field(file: &Path, text: &str, err: FieldError) -> ConfigError {
        invalid(file, text, err.span, Some(err.key), err.message)
    }

    /// The line number (1-based).
    #[cfg(test)]
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Invalid { line, .. } => Some(*line),
            ConfigError::Read { .. } => None,
        }
    }
}

/// The table a byte offset falls in, as a key path (`checks[2]`, `storage`),
/// from the `[table]` and `[[array]]` headers above it.
fn table_path_at(text: &str, offset: usize) -> Option<String> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut current = None;
    for line in text[..offset.min(text.len())].lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            current = Some(format!("{name}[{n}]"));
            *n += 1;
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            let name = name.trim();
            // A sub-table of the latest array element: [checks.headers].
            current = Some(match name.split_once('.') {
                Some((array, rest)) if counts.contains_key(array) => {
                    format!("{array}[{}].{rest}", counts[array] - 1)
                }
                _ => name.to_string(),
            });
        }
    }
    current
}

fn invalid(
    file: &Path,
    text: &str,
    span: Range<usize>,
    key: Option<String>,
    message: String,
) -> ConfigError {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let source_line = &text[line_start..line_end];
    let width = text[start..span.end.clamp(start, line_end)]
        .chars()
        .count()
        .max(1);
    let gutter = line.to_string().len();
    let excerpt = format!(
        "{:gutter$} |\n{line} | {source_line}\n{:gutter$} | {}{}",
        "",
        "",
        " ".repeat(column - 1),
        "^".repeat(width),
    );
    ConfigError::Invalid {
        file: file.to_path_buf(),
        line,
        column,
        key,
        message,
        excerpt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column_with_a_caret() {
        let text = "a = 1\nurl = \"htp:/x\"\n";
        let err = ConfigError::from_field(
            Path::new("c.toml"),
            text,
            FieldError::new(12..20, "checks[0].url", "not a URL"),
        );
        assert_eq!(err.line(), Some(2));
        let shown = err.to_string();
        assert!(
            shown.starts_with("c.toml:2:7: checks[0].url: not a URL\n"),
            "{shown}"
        );
        assert!(
            shown.ends_with("2 | url = \"htp:/x\"\n  |       ^^^^^^^^"),
            "{shown}"
        );
    }
}
