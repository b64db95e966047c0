//! How plugin kinds (checks, notifiers, storage) declare themselves: a name,
//! one line saying what they do, and their options, each with what it takes
//! and one line of documentation. Declared once, next to the kind's code;
//! from that one table the config refuses keys a kind does not take (saying
//! which kinds do) and `checker kinds` prints the reference.

use super::FieldError;
use super::fields::{RawTable, Table};

/// One option: its key, what it takes, one line saying what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    pub key: &'static str,
    /// What the value looks like: `"text"`, `1..100`, `"30s"`, `true`, ...
    pub takes: &'static str,
    pub doc: &'static str,
}

/// Shorthand for option tables.
pub const fn opt(key: &'static str, takes: &'static str, doc: &'static str) -> Opt {
    Opt { key, takes, doc }
}

/// A plugin kind: its `type` name, what it is, its own options and what
/// builds it (`B`, a function pointer of the family).
pub struct Kind<B> {
    pub name: &'static str,
    pub about: &'static str,
    pub options: &'static [Opt],
    pub build: B,
}

/// A family of kinds: what its tables are called (`checks`) and the options
/// every kind of it shares (`name`, `timeout`, ...), `type` included.
pub struct Family<B: 'static> {
    pub noun: &'static str,
    pub singular: &'static str,
    pub common: &'static [Opt],
    pub kinds: &'static [Kind<B>],
}

/// The options of a kind without the shared ones, for listings.
pub trait Described {
    fn name(&self) -> &'static str;
    fn about(&self) -> &'static str;
    fn options(&self) -> &'static [Opt];
}

impl<B> Described for Kind<B> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn about(&self) -> &'static str {
        self.about
    }
    fn options(&self) -> &'static [Opt] {
        self.options
    }
}

impl<B> Family<B> {
    /// The kind `raw` names with `type`, once every key in it is one that
    /// kind (or every kind of the family) takes, and the table to read it.
    /// `path` is where the table is (`checks[3]`).
    pub fn pick<'a>(
        &'static self,
        raw: &'a toml::Spanned<RawTable>,
        path: &str,
    ) -> Result<(&'static Kind<B>, Table<'a>), FieldError> {
        let untyped = Table::new(raw, path, self.noun);
        let Some(kind_name) = untyped.text("type")? else {
            return Err(untyped.table_error("missing field `type`"));
        };
        let Some(kind) = self.kinds.iter().find(|k| k.name == kind_name) else {
            return Err(untyped.error(
                "type",
                format!(
                    "unknown {} type {kind_name:?}; known types: {}",
                    self.singular,
                    self.kind_names().join(", ")
                ),
            ));
        };
        let table = Table::new(raw, path, format!("{} {}", kind.name, self.noun));
        table.value("type");
        for (key, span) in untyped.keys() {
            let takes = |options: &[Opt]| options.iter().any(|o| o.key == key);
            if takes(self.common) || takes(kind.options) {
                continue;
            }
            let owners: Vec<&str> = self
                .kinds
                .iter()
                .filter(|k| takes(k.options))
                .map(|k| k.name)
                .collect();
            let message = if owners.is_empty() {
                format!(
                    "unknown field `{key}`; `checker kinds` lists what {} {} take",
                    kind.name, self.noun
                )
            } else {
                format!(
                    "is not an option of {} {} (it applies to {})",
                    kind.name,
                    self.noun,
                    owners.join(", ")
                )
            };
            return Err(FieldError::new(span, table.key(key), message));
        }
        Ok((kind, table))
    }

    pub fn kind_names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.name).collect()
    }
}

/// A family seen without its builders: for `checker kinds` and the docs test.
pub struct Listing {
    pub noun: &'static str,
    pub common: &'static [Opt],
    pub kinds: Vec<&'static dyn Described>,
}

impl<B> Family<B> {
    pub fn listing(&'static self) -> Listing {
        Listing {
            noun: self.noun,
            common: self.common,
            kinds: self.kinds.iter().map(|k| k as &dyn Described).collect(),
        }
    }
}
