//! The config file as written: serde structs that reject unknown keys and keep
//! every value's position (`Spanned`) so later errors can point at it.
//!
//! Plugin tables (checks, notifiers, storage) are kept as written, key by
//! key: each kind declares the options it takes and reads them itself
//! (`kinds.rs`, `fields.rs`), so a kind's keys are spelled in one place.

use serde::Deserialize;
use toml::Spanned;

use crate::maintenance::RawWindow;
use crate::options::RawTable;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// This checker's name in file names and results; defaults to the host name.
    pub node: Option<Spanned<String>>,
    /// Time between round starts, e.g. "1m".
    pub interval: Option<Spanned<String>>,
    /// Checks of one round run at most this many at a time.
    pub concurrency: Option<Spanned<i64>>,
    /// Where the checker keeps its own state (the spool); default
    /// `$STATE_DIRECTORY` under systemd, else `state/` beside the config.
    pub state_dir: Option<Spanned<String>>,
    /// Where results go: a `storage` kind's table.
    pub storage: Option<Spanned<RawTable>>,
    /// One table per check, each of a `checks` kind.
    #[serde(default)]
    pub checks: Vec<Spanned<RawTable>>,
    /// Where to send alerts when a check changes state.
    #[serde(default)]
    pub notifiers: Vec<Spanned<RawTable>>,
    /// Times when checks may fail without alerting anyone.
    #[serde(default)]
    pub maintenance: Vec<Spanned<RawWindow>>,
    /// The page that feeds, the calendar and the status API describe.
    pub status_page: Option<Spanned<RawStatusPage>>,
    /// Where the ping listener answers heartbeat URLs, e.g. "127.0.0.1:8787".
    pub listen: Option<Spanned<String>>,
}

/// `[status_page]`: what subscribers' files call the page and link to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatusPage {
    /// The name feeds and the API give the page (default "Status").
    pub title: Option<Spanned<String>>,
    /// The page's public URL, e.g. "https://status.example.com/".
    pub url: Option<Spanned<String>>,
}
