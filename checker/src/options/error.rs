//! A problem with one value of a config table, before it is placed in the
//! file (the config adds file, line and column).

use std::ops::Range;

/// A problem with one value in the config, before it is placed in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the value (or its table) is, as a byte range of the source.
    pub span: Range<usize>,
    /// Dotted key path, e.g. `checks[2].url`.
    pub key: String,
    pub message: String,
}

impl FieldError {
    pub fn new(span: Range<usize>, key: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            span,
            key: key.into(),
            message: message.into(),
        }
    }
}
