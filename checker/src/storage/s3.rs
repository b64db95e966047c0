//! S3 storage (AWS, or any S3-compatible store: Garage, MinIO, R2): each round
//! is one object `<prefix><unix_nanos>-<node>-check.json`, written once and
//! never rewritten. Nothing is read-modify-written, so any number of nodes can
//! share a bucket without coordination; the page lists the bucket itself.

use async_trait::async_trait;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use checkup_model::ResultFileName;

use super::{Builder, Created, Storage, StorageError, StorageKind};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "s3",
    about: "an S3 bucket: AWS, or any S3-compatible store (Garage, MinIO, R2)",
    options: &[
        opt("bucket", "\"status\"", "the bucket (required)"),
        opt(
            "prefix",
            "\"checkup/\"",
            "a key prefix; a '/' is added if missing",
        ),
        opt(
            "region",
            "\"eu-west-1\"",
            "the region to sign for (default us-east-1)",
        ),
        opt(
            "endpoint",
            "\"http://127.0.0.1:3900\"",
            "an S3-compatible store (default: AWS)",
        ),
        opt(
            "path_style",
            "true",
            "bucket in the path (default: true with endpoint, false on AWS)",
        ),
        opt(
            "access_key_id",
            "\"...\"",
            "static credentials (default: the standard AWS chain)",
        ),
        opt("secret_access_key", "\"...\"", "with access_key_id"),
    ],
    build: |table, _| S3Settings::from_table(table).map(StorageKind::S3),
};

const DEFAULT_REGION: &str = "us-east-1";
/// DeleteObjects takes at most this many keys per call.
const DELETE_BATCH: usize = 1000;

/// Validated S3 settings.
#[derive(Clone, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    /// Empty, or ends with '/'.
    pub prefix: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub path_style: bool,
    /// (access key id, secret); `None` = the standard AWS credential chain.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for S3Settings {
    // Never print the secret, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("path_style", &self.path_style)
            .field("access_key_id", &self.credentials.as_ref().map(|c| &c.0))
            .finish()
    }
}

impl S3Settings {
    fn from_table(table: &Table) -> Result<S3Settings, FieldError> {
        let bucket = table
            .text("bucket")?
            .ok_or_else(|| table.missing("bucket", "a bucket"))?;
        if bucket.is_empty()
            || bucket.len() > 255
            || bucket.contains('/')
            || bucket.chars().any(char::is_whitespace)
        {
            return Err(table.error("bucket", format!("{bucket:?} is not a bucket name")));
        }
        let prefix = match table.text("prefix")? {
            Some(p) => {
                let p = p.trim_start_matches('/');
                if p.is_empty() || p.ends_with('/') {
                    p.to_string()
                } else {
                    format!("{p}/")
                }
            }
            None => String::new(),
        };
        // Checked as a URL, kept as written (without a trailing '/').
        let endpoint = match table.http_url("endpoint", false)? {
            Some(_) => table
                .text("endpoint")?
                .map(|t| t.trim().trim_end_matches('/').to_string()),
            None => None,
        };
        let credentials = match (
            table.text("access_key_id")?,
            table.text("secret_access_key")?,
        ) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(FieldError::new(
                    table.span_of("access_key_id"),
                    table.key("secret_access_key"),
                    "is needed with access_key_id",
                ));
            }
            (None, Some(_)) => {
                return Err(FieldError::new(
                    table.span_of("secret_access_key"),
                    table.key("access_key_id"),
                    "is needed with secret_access_key",
                ));
            }
        };
        Ok(S3Settings {
            bucket,
            prefix,
            region: table
                .text("region")?
                .unwrap_or_else(|| DEFAULT_REGION.into()),
            path_style: table.bool("path_style")?.unwrap_or(endpoint.is_some()),
            endpoint,
            credentials,
        })
    }

    pub fn describe(&self) -> String {
        let at = self
            .endpoint
            .as_deref()
            .map(|e| format!(" at {e}"))
            .unwrap_or_default();
        format!("s3://{}/{}{at}", self.bucket, self.prefix)
    }

    /// AWS SDK configuration: region, endpoint and credentials (static, or the
    /// standard chain: environment, shared profile, SSO, instance role).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(Region::new(self.region.clone()));
        if let Some((id, secret)) = &self.credentials {
            loader = loader.credentials_provider(Credentials::new(
                id,
                secret,
                None,
                None,
                "checker-config",
            ));
        }
        loader.load().await
    }

    /// An S3 client for these settings.
    pub fn client(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
        let mut builder = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(self.path_style)
            // Checksums only where S3 requires them: not every compatible
            // store accepts the newer default ones.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            // One quick retry for a blip; longer outages are the spool's job,
            // and must not hold up the round schedule.
            .retry_config(
                aws_sdk_s3::config::retry::RetryConfig::standard()
                    .with_max_attempts(2)
                    .with_initial_backoff(std::time::Duration::from_millis(200)),
            )
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(5))
                    .operation_timeout(std::time::Duration::from_secs(30))
                    .build(),
            );
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        aws_sdk_s3::Client::from_conf(builder.build())
    }
}

pub struct S3Storage {
    settings: S3Settings,
    client: aws_sdk_s3::Client,
    /// Cache-Control of what `put` writes (rewritten every round).
    rewritten: String,
}

impl S3Storage {
    /// Sets how long caches may keep objects rewritten every round.
    pub fn rewritten_every(mut self, interval: std::time::Duration) -> S3Storage {
        self.rewritten = super::rewritten_cache_control(interval);
        self
    }

    pub async fn open(settings: &S3Settings) -> S3Storage {
        let sdk = settings.sdk_config().await;
        S3Storage {
            rewritten: super::rewritten_cache_control(super::DEFAULT_INTERVAL),
            client: settings.client(&sdk),
            settings: settings.clone(),
        }
    }

    fn remote(&self, action: &'static str, key: &str, err: impl std::error::Error) -> StorageError {
        StorageError::Remote {
            action,
            bucket: self.settings.bucket.clone(),
            key: key.to_string(),
            message: DisplayErrorContext(err).to_string(),
        }
    }

    /// Own result keys older than `cutoff`, in listing (time) order.
    async fn expired_keys(&self, node: &str, cutoff: i64) -> Result<Vec<String>, StorageError> {
        let prefix = &self.settings.prefix;
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.settings.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut expired = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.remote("cannot list", prefix, e))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let Some(name) = key.strip_prefix(prefix.as_str()) else {
                    continue;
                };
                let Ok(parsed) = ResultFileName::parse(name) else {
                    continue;
                };
                if parsed.timestamp >= cutoff {
                    // Keys sort by timestamp: everything after this is newer.
                    return Ok(expired);
                }
                if parsed.node.as_deref() == Some(node) {
                    expired.push(key.to_string());
                }
            }
        }
        Ok(expired)
    }
}

#[async_trait]
impl Storage for S3Storage {
    fn describe(&self) -> String {
        self.settings.describe()
    }

    async fn store(&self, name: &ResultFileName, bytes: Vec<u8>) -> Result<String, StorageError> {
        let key = format!("{}{}", self.settings.prefix, name);
        self.client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .content_type("application/json")
            .cache_control(super::IMMUTABLE)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| self.remote("cannot write", &key, e))?;
        Ok(format!("s3://{}/{key}", self.settings.bucket))
    }

    async fn prune(&self, node: &str, cutoff: i64) -> Result<usize, StorageError> {
        let expired = self.expired_keys(node, cutoff).await?;
        for batch in expired.chunks(DELETE_BATCH) {
            let objects: Vec<ObjectIdentifier> = batch
                .iter()
                .map(|k| {
                    ObjectIdentifier::builder()
                        .key(k)
                        .build()
                        .expect("key is set")
                })
                .collect();
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .expect("objects are set");
            let out = self
                .client
                .delete_objects()
                .bucket(&self.settings.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| self.remote("cannot delete from", &self.settings.prefix, e))?;
            if let Some(failed) = out.errors().first() {
                return Err(StorageError::Remote {
                    action: "cannot delete",
                    bucket: self.settings.bucket.clone(),
                    key: failed.key().unwrap_or_default().to_string(),
                    message: failed.message().unwrap_or("refused").to_string(),
                });
            }
        }
        Ok(expired.len())
    }

    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<String, StorageError> {
        let key = format!("{}{key}", self.settings.prefix);
        // JSON (history views above all) is stored gzipped, as S3 serves
        // objects as stored: every page load then moves the packed bytes.
        let (bytes, encoding) = if content_type == "application/json" {
            (super::gzip::compress(&bytes), Some("gzip".to_string()))
        } else {
            (bytes, None)
        };
        self.client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .content_type(content_type)
            .set_content_encoding(encoding)
            .cache_control(&self.rewritten)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| self.remote("cannot write", &key, e))?;
        Ok(format!("s3://{}/{key}", self.settings.bucket))
    }

    async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<Created, StorageError> {
        let key = format!("{}{key}", self.settings.prefix);
        let sent = self
            .client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .content_type("application/json")
            .if_none_match("*")
            .body(ByteStream::from(bytes))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Created::Yes),
            // 412: the key exists. (A 409, another conditional write to it
            // in flight, is an error: the claim is tried again next round.)
            Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(412) => {
                Ok(Created::AlreadyThere)
            }
            Err(e) => Err(self.remote("cannot create", &key, e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let key = format!("{}{key}", self.settings.prefix);
        self.client
            .delete_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| self.remote("cannot delete", &key, e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let key = format!("{}{key}", self.settings.prefix);
        let out = match self
            .client
            .get_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(self.remote("cannot read", &key, e)),
        };
        let gzipped = out.content_encoding() == Some("gzip");
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| self.remote("cannot read", &key, e))?
            .into_bytes();
        if !gzipped {
            return Ok(Some(body.to_vec()));
        }
        super::gzip::decompress(&body, super::gzip::MAX_UNPACKED)
            .map(Some)
            .map_err(|message| StorageError::Remote {
                action: "cannot read",
                bucket: self.settings.bucket.clone(),
                key,
                message,
            })
    }

    async fn list(&self, dir: &str, after: &str) -> Result<Vec<String>, StorageError> {
        let prefix = format!("{}{dir}", self.settings.prefix);
        let mut request = self
            .client
            .list_objects_v2()
            .bucket(&self.settings.bucket)
            .prefix(&prefix);
        if !after.is_empty() {
            request = request.start_after(format!("{prefix}{after}"));
        }
        let mut pages = request.into_paginator().send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.remote("cannot list", &prefix, e))?;
            for object in page.contents() {
                let Some(name) = object.key().and_then(|k| k.strip_prefix(prefix.as_str())) else {
                    continue;
                };
                if !name.contains('/') {
                    names.push(name.to_string());
                }
            }
        }
        Ok(names)
    }
}
