//! Result file names: `<unix_nanos>-<node>-check.json` (ours) and
//! `<unix_nanos>-check.json` (checkup's). Both start with the timestamp, so a
//! lexical listing is a time-ordered listing (timestamps have 19 digits until 2286).

use std::fmt;

const SUFFIX: &str = "-check.json";
const MAX_NODE_LEN: usize = 64;

/// A parsed result file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResultFileName {
    /// When the round started, Unix nanoseconds.
    pub timestamp: i64,
    /// The node that wrote it; `None` for files written by checkup itself.
    pub node: Option<String>,
}

/// Why a name is not a valid node name or result file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("node name is empty")]
    EmptyNode,
    #[error("node name is longer than {MAX_NODE_LEN} characters")]
    NodeTooLong,
    #[error(
        "node name {0:?} may only contain ASCII letters, digits, '.', '_' and '-', must not start with '-' or end with \"-check\", and must not be only dots"
    )]
    BadNodeChars(String),
    #[error("{0:?} is not a result file name (<unix_nanos>[-<node>]-check.json)")]
    NotAResultFile(String),
}

/// Checks that `node` can be embedded in a file name and parsed back out.
pub fn validate_node(node: &str) -> Result<(), NameError> {
    if node.is_empty() {
        return Err(NameError::EmptyNode);
    }
    if node.len() > MAX_NODE_LEN {
        return Err(NameError::NodeTooLong);
    }
    let chars_ok = node
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    // Only dots would name a directory in a report's key (`reports/<node>/`).
    let only_dots = node.bytes().all(|b| b == b'.');
    if !chars_ok || only_dots || node.starts_with('-') || node.ends_with("-check") {
        return Err(NameError::BadNodeChars(node.to_string()));
    }
    Ok(())
}

impl ResultFileName {
    pub fn new(timestamp: i64, node: &str) -> Result<Self, NameError> {
        validate_node(node)?;
        Ok(ResultFileName {
            timestamp,
            node: Some(node.to_string()),
        })
    }

    /// Parses a bare file name (no directory or key prefix).
    pub fn parse(name: &str) -> Result<Self, NameError> {
        let bad = || NameError::NotAResultFile(name.to_string());
        let stem = name.strip_suffix(SUFFIX).ok_or_else(bad)?;
        let (digits, node) = match stem.split_once('-') {
            Some((digits, node)) => (digits, Some(node)),
            None => (stem, None),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let timestamp: i64 = digits.parse().map_err(|_| bad())?;
        if let Some(node) = node {
            validate_node(node).map_err(|_| bad())?;
        }
        Ok(ResultFileName {
            timestamp,
            node: node.map(str::to_string),
        })
    }

    /// True when `name` looks like a result file written by `node`.
    pub fn is_own(name: &str, node: &str) -> bool {
        matches!(Self::parse(name), Ok(f) if f.node.as_deref() == Some(node))
    }
}

impl fmt::Display for ResultFileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(node) => write!(f, "{}-{}{}", self.timestamp, node, SUFFIX),
            None => write!(f, "{}{}", self.timestamp, SUFFIX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ours_round_trip() {
        let n = ResultFileName::new(1_700_000_000_123_456_789, "fra-1.eu").unwrap();
        assert_eq!(n.to_string(), "1700000000123456789-fra-1.eu-check.json");
        assert_eq!(ResultFileName::parse(&n.to_string()).unwrap(), n);
    }

    #[test]
    fn checkups_names_parse_without_node() {
        let n = ResultFileName::parse("1588888888123456789-check.json").unwrap();
        assert_eq!(n.timestamp, 1_588_888_888_123_456_789);
        assert_eq!(n.node, None);
    }

    #[test]
    fn other_names_are_rejected() {
        for name in [
            "index.json",
            "check.json",
            "-check.json",
            "12a-check.json",
            "123-check.json.tmp",
            "123--check.json",
            "123-a/b-check.json",
            "99999999999999999999999-check.json",
        ] {
            assert!(ResultFileName::parse(name).is_err(), "{name} parsed");
        }
    }

    #[test]
    fn node_names_that_would_not_parse_back_are_refused() {
        assert_eq!(validate_node(""), Err(NameError::EmptyNode));
        assert!(validate_node("a b").is_err());
        assert!(validate_node("-a").is_err());
        assert!(validate_node("x-check").is_err());
        assert!(validate_node("..").is_err() && validate_node(".").is_err());
        assert!(validate_node(".n1").is_ok());
        assert!(validate_node(&"a".repeat(65)).is_err());
        assert!(validate_node("ams_3.prod-2").is_ok());
    }

    #[test]
    fn ownership_is_by_node_name() {
        assert!(ResultFileName::is_own("1-ams-check.json", "ams"));
        assert!(!ResultFileName::is_own("1-ams2-check.json", "ams"));
        assert!(!ResultFileName::is_own("1-check.json", "ams"));
        assert!(!ResultFileName::is_own("notes-ams-check.json.bak", "ams"));
    }
}
