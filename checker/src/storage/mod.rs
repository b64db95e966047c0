//! Where rounds go. Each storage kind is one module; [`StorageConfig::from_raw`]
//! and [`open`] are the one place kinds are registered. Storages see only the
//! model's types: they know nothing of check kinds.

mod gzip;
mod local;
mod s3;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use checkup_model::{CheckResult, ResultFileName};
use toml::Spanned;

pub use local::{LocalStorage, io as io_error, remove_orphaned_temp_files, write_atomic};
pub use s3::{S3Settings, S3Storage};

use crate::config::{FieldError, RawStorage, kinds, validate::duration};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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

    /// Reads `key`; `None` when there is no such file.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;

    /// The names directly under `dir` (`""` for the round files, or
    /// `"incidents/"`), relative to it, that sort after `after` (`""` for
    /// all), in lexical (time) order. Round names start with their
    /// timestamp, so `after` skips old history without reading it.
    async fn list(&self, dir: &str, after: &str) -> Result<Vec<String>, StorageError>;
}

/// Splits `views/x.json` into (`views`, `x.json`); keys have at most one level.
fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, key),
    }
}

/// Validated storage settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageConfig {
    pub kind: StorageKind,
    /// Own result files older than this are deleted after each round.
    pub check_expiry: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StorageKind {
    Local { dir: PathBuf },
    S3(S3Settings),
}

/// Every kind: its `type` name and the kind-specific keys it accepts.
const KINDS: &[(&str, &[&str])] = &[("local", local::KEYS), ("s3", s3::KEYS)];
const DEFAULT_LOCAL_DIR: &str = "results";

impl StorageConfig {
    /// Validates the `[storage]` table. Without a directory, results go to
    /// `results/` in systemd's `$STATE_DIRECTORY` if set (the config directory
    /// is read-only under systemd), else beside the config file. Relative
    /// paths are relative to the config file.
    pub fn from_raw(
        raw: Option<&Spanned<RawStorage>>,
        base_dir: &Path,
    ) -> Result<StorageConfig, FieldError> {
        let default_dir = || match std::env::var_os("STATE_DIRECTORY") {
            // systemd may pass several, colon-separated: the first is ours.
            Some(dirs) if !dirs.is_empty() => {
                let dirs = dirs.to_string_lossy().into_owned();
                PathBuf::from(dirs.split(':').next().unwrap_or_default()).join(DEFAULT_LOCAL_DIR)
            }
            _ => base_dir.join(DEFAULT_LOCAL_DIR),
        };
        let Some(raw) = raw else {
            return Ok(StorageConfig {
                kind: StorageKind::Local { dir: default_dir() },
                check_expiry: None,
            });
        };
        let raw_ref = raw.get_ref();
        let (kind, _) = kinds::pick(
            KINDS,
            |(name, keys)| (*name, *keys),
            &raw_ref.kind,
            raw_ref.kind_specific_keys(),
            "storage",
            "storage",
        )?;
        let check_expiry = match &raw_ref.check_expiry {
            Some(v) => Some(duration(v, "storage.check_expiry")?),
            None => None,
        };
        let kind = match *kind {
            "local" => {
                let dir = match &raw_ref.dir {
                    Some(d) if d.get_ref().trim().is_empty() => {
                        return Err(FieldError::new(
                            d.span(),
                            "storage.dir",
                            "must not be empty",
                        ));
                    }
                    Some(d) => base_dir.join(d.get_ref()),
                    None => default_dir(),
                };
                StorageKind::Local { dir }
            }
            _ => StorageKind::S3(S3Settings::from_raw(raw)?),
        };
        Ok(StorageConfig { kind, check_expiry })
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
        StorageKind::S3(settings) => Ok(Box::new(S3Storage::open(settings).await)),
    }
}
