//! `checker provision`: everything a bucket needs before a status page can
//! read it with a read-only key. For AWS: the bucket, a read-only IAM user
//! with an inline policy (list this bucket, get its objects, nothing else),
//! an access key for it, and CORS for the page's origins. Every step checks
//! what is there first, so running it again changes nothing that is right.

mod bucket;
mod pinger;
mod reader;

use std::path::{Path, PathBuf};

use checkup_model::{PageConfig, PageStorage};

use crate::storage::{S3Settings, StorageKind};

pub use reader::ReaderKey;

/// What to provision, from the command line.
pub struct Request {
    /// The IAM user name for the page's read-only key.
    pub reader_user: String,
    /// Origins allowed to read with CORS, e.g. `https://status.example.com`.
    pub origins: Vec<String>,
    /// IAM endpoint (an emulator); AWS's when absent.
    pub iam_endpoint: Option<String>,
    /// Replace the reader's access key with a new one.
    pub rotate_key: bool,
    /// Write a ready `config.json` for the page here.
    pub page_config: Option<PathBuf>,
    /// The S3 endpoint as browsers reach it, if not the checker's.
    pub page_endpoint: Option<String>,
    pub title: String,
    /// Also make the put-only ping key, for this IAM user.
    pub ping_user: Option<String>,
}

/// Why provisioning stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("provision needs s3 storage in the config; this config uses {0}")]
    NotS3(String),
    #[error("{step}: {message}")]
    Step { step: String, message: String },
    #[error(
        "user {user:?} already has access key {key_id}, whose secret is only shown when it is created, and {} does not hold it; \
         run again with --rotate-key to replace the key (the old one stops working)",
        page_config.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "no --page-config".into())
    )]
    SecretUnknown {
        user: String,
        key_id: String,
        page_config: Option<PathBuf>,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) fn step_error(step: impl Into<String>, err: impl std::error::Error) -> ProvisionError {
    ProvisionError::Step {
        step: step.into(),
        message: aws_sdk_s3::error::DisplayErrorContext(err).to_string(),
    }
}

/// Runs every step, printing one line per step as it goes.
pub async fn provision(storage: &StorageKind, req: &Request) -> Result<(), ProvisionError> {
    let StorageKind::S3(s3) = storage else {
        return Err(ProvisionError::NotS3(match storage {
            StorageKind::Local { dir } => format!("a local directory ({})", dir.display()),
            StorageKind::S3(_) => unreachable!(),
        }));
    };
    let sdk = s3.sdk_config().await;
    let s3_client = s3.client(&sdk);
    say("bucket", &bucket::ensure_bucket(&s3_client, s3).await?);
    say(
        "CORS",
        &bucket::ensure_cors(&s3_client, &s3.bucket, &req.origins).await?,
    );

    let mut iam_conf = aws_sdk_iam::config::Builder::from(&sdk);
    if let Some(endpoint) = &req.iam_endpoint {
        iam_conf = iam_conf.endpoint_url(endpoint);
    }
    let iam = aws_sdk_iam::Client::from_conf(iam_conf.build());
    say(
        "read-only user",
        &reader::ensure_user(&iam, &req.reader_user).await?,
    );
    say(
        "policy",
        &reader::ensure_policy(&iam, &req.reader_user, s3).await?,
    );

    let existing = req.page_config.as_deref().and_then(read_page_key);
    let key = reader::ensure_key(
        &iam,
        &req.reader_user,
        existing,
        req.rotate_key,
        req.page_config.as_deref(),
    )
    .await?;
    match &key {
        ReaderKey::Created { id, secret } => {
            say("access key", &format!("created {id}"));
            println!();
            println!(
                "  The read-only key for the status page (shown this once; it goes in the page's config.json):"
            );
            println!("    access_key_id     = {id}");
            println!("    secret_access_key = {secret}");
            println!();
        }
        ReaderKey::Kept { id, .. } => say("access key", &format!("{id} exists and is kept")),
    }
    if let Some(path) = &req.page_config {
        let outcome = write_page_config(path, s3, &key, req)?;
        say("page config", &outcome);
    }
    if let Some(user) = &req.ping_user {
        say("ping user", &reader::ensure_user(&iam, user).await?);
        let allows = format!(
            "s3:PutObject on {}/{}{}*",
            s3.bucket,
            s3.prefix,
            crate::heartbeat::PINGS_DIR
        );
        say(
            "ping policy",
            &reader::ensure_inline_policy(
                &iam,
                user,
                pinger::POLICY_NAME,
                pinger::policy_document(s3),
                &allows,
            )
            .await?,
        );
        match pinger::ensure_key(&iam, user, req.rotate_key).await? {
            Some((id, secret)) => {
                say("ping key", &format!("created {id}"));
                println!();
                println!(
                    "  The ping key (shown this once; it goes in [storage] of the job hosts' checker.toml):"
                );
                println!("    access_key_id     = {id}");
                println!("    secret_access_key = {secret}");
                println!();
            }
            None => say(
                "ping key",
                "exists and is kept (its secret was shown when it was made; --rotate-key replaces it)",
            ),
        }
    }
    Ok(())
}

fn say(step: &str, outcome: &str) {
    println!("{step:>15}: {outcome}");
}

/// The read-only key already in an existing page config, if any.
fn read_page_key(path: &Path) -> Option<(String, String)> {
    let config = PageConfig::parse(&std::fs::read_to_string(path).ok()?).ok()?;
    match config.storage {
        PageStorage::S3 {
            access_key_id: Some(id),
            secret_access_key: Some(secret),
            ..
        } => Some((id, secret)),
        _ => None,
    }
}

/// Writes `config.json` for the page (atomically), unless it is already right.
fn write_page_config(
    path: &Path,
    s3: &S3Settings,
    key: &ReaderKey,
    req: &Request,
) -> Result<String, ProvisionError> {
    let (id, secret) = key.id_and_secret();
    let existing = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| PageConfig::parse(&t).ok());
    let storage = PageStorage::S3 {
        bucket: s3.bucket.clone(),
        region: s3.region.clone(),
        endpoint: req.page_endpoint.clone().or_else(|| s3.endpoint.clone()),
        path_style: Some(s3.path_style),
        prefix: s3.prefix.clone(),
        access_key_id: Some(id.to_string()),
        secret_access_key: Some(secret.to_string()),
    };
    // Keep what the operator chose for the page; replace only the storage.
    let config = match existing {
        Some(c) if c.storage == storage => {
            return Ok(format!("{} is already right", path.display()));
        }
        Some(c) => PageConfig { storage, ..c },
        None => PageConfig::new(&req.title, storage),
    };
    let mut text = serde_json::to_string_pretty(&config).expect("page config serializes");
    text.push('\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| ProvisionError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(format!("wrote {}", path.display()))
}
