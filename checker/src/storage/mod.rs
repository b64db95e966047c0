//! Where rounds go. Each storage kind is one module; [`StorageConfig::from_raw`]
//! and [`open`] are the one place kinds are registered. Storages see only the
//! model's types: they know nothing of check kinds.

mod gzip;
mod local;
mod registry;
mod s3;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use checkup_model::{CheckResult, ResultFileName};
use toml::Spanned;

pub use local::LocalStorage;
pub use s3::{S3Settings, S3Storage};

use crate::options::FieldError;
use crate::options::{RawTable, Table};

pub use registry::STORAGES;

/// Validates a kind's table into its settings; `base_dir` anchors relative paths.
pub type Builder = fn(&Table, &Path) -> Result<StorageKind, FieldError>;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    Io(#[from] crate::atomic_file::FileError),
    #[error("{action} s3://{bucket}/{key}: {message}")]
    Remote {
        action: &'static str,
        bucket: String,
        key: String,
        message: String,
    },
    #[error("cannot encode results: {0}")]
    Encode(#[from] serde_json::Error),
}

/// A round as stored: checkup's JSON array, newline-terminated.
pub fn encode_round(results: &[CheckResult]) -> Result<Vec<u8>, StorageError> {
    let mut bytes = serde_json::to_vec(results)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes one round of results as one immutable file.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Where results go, for people: "local directory /var/lib/checker/results".
    fn describe(&self) -> String;

    /// Stores an encoded round (see [`encode_round`]) under `name`, replacing
    /// any object of that name (so a retried write is never a duplicate);
    /// returns the key or path written.
    async fn store(&self, name: &ResultFileName, bytes: Vec<u8>) -> Result<String, StorageError>;

    /// Deletes this node's own result files older than `cutoff` (Unix ns),
    /// nothing else; returns how many went.
    async fn prune(&self, node: &str, cutoff: i64) -> Result<usize, StorageError>;

    /// Writes a derived or auxiliary file (a history view, a badge, an
    /// incident update) under `key`, e.g. `views/n1-history.json`, replacing
    /// it whole. Keys are made by this program, never taken from storage.
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<String, StorageError>;

    /// Writes `key` only if nothing is there yet, atomically: of several
    /// nodes claiming one key at once, exactly one gets [`Created::Yes`].
    /// Stores that ignore the condition are caught by
    /// [`crate::notify::claims::probe`].
    async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<Created, StorageError>;

    /// Reads `key`; `None` when there is no such file.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;

    /// The names directly under `dir` (`""` for the round files, or
    /// `"incidents/"`), relative to it, that sort after `after` (`""` for
    /// all), in lexical (time) order. Round names start with their
    /// timestamp, so `after` skips old history without reading it.
    async fn list(&self, dir: &str, after: &str) -> Result<Vec<String>, StorageError>;

    /// Deletes `key`; deleting what is not there is not an error (several
    /// nodes may tidy the same old file).
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
}

/// Whether a conditional write created the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Yes,
    /// Something was there already; nothing was written.
    AlreadyThere,
}

/// Splits `alerts/web/1.json` into (`alerts/web`, `1.json`).
fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, key),
    }
}

/// The interval assumed until the config's own is set.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// Validated storage settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageConfig {
    pub kind: StorageKind,
    /// Own result files older than this are deleted after each round.
    pub check_expiry: Option<Duration>,
    /// The round interval: what is rewritten every round (views, latest
    /// objects, badges, feeds) may be cached for half of it.
    pub interval: Duration,
}

/// Cache-Control of an immutable object (a round file): any cache may keep
/// it for good.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Cache-Control of an object rewritten every round: a cache (a CDN in
/// front of the bucket) may serve it for half an interval, so the bucket
/// sees about two requests per object per interval however many visitors
/// read it; browsers revalidate it on every refresh anyway.
pub fn rewritten_cache_control(interval: Duration) -> String {
    format!("public, max-age={}", (interval.as_secs() / 2).max(1))
}

/// Each kind's validated settings. `describe` and `open` match on it, so the
/// compiler names every place a new kind must be handled.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageKind {
    Local { dir: PathBuf },
    S3(S3Settings),
}

impl StorageConfig {
    /// Validates the `[storage]` table; relative paths are relative to
    /// `base_dir`, the config file's directory. Without a table, results go
    /// to local storage's default directory.
    pub fn from_raw(
        raw: Option<&Spanned<RawTable>>,
        base_dir: &Path,
    ) -> Result<StorageConfig, FieldError> {
        let Some(raw) = raw else {
            return Ok(StorageConfig {
                kind: StorageKind::Local {
                    dir: local::default_dir(base_dir),
                },
                check_expiry: None,
                interval: DEFAULT_INTERVAL,
            });
        };
        let (kind, table) = STORAGES.pick(raw, "storage")?;
        let config = StorageConfig {
            check_expiry: table.duration("check_expiry")?,
            kind: (kind.build)(&table, base_dir)?,
            interval: DEFAULT_INTERVAL,
        };
        table.ensure_all_read()?;
        Ok(config)
    }

    /// Where results go, for people.
    pub fn describe(&self) -> String {
        match &self.kind {
            StorageKind::Local { dir } => format!("local directory {}", dir.display()),
            StorageKind::S3(s) => s.describe(),
        }
    }
}

/// Opens the configured storage, creating what it needs (the directory) or
/// resolving credentials.
pub async fn open(config: &StorageConfig) -> Result<Box<dyn Storage>, StorageError> {
    match &config.kind {
        StorageKind::Local { dir } => Ok(Box::new(LocalStorage::open(dir)?)),
        StorageKind::S3(settings) => Ok(Box::new(
            S3Storage::open(settings)
                .await
                .rewritten_every(config.interval),
        )),
    }
}
