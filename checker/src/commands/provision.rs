//! `checker provision`: set up S3 storage for the page (see `crate::provision`).

use std::path::Path;
use std::process::ExitCode;

use crate::{config, provision};

pub async fn provision(path: &Path, request: &provision::Request) -> anyhow::Result<ExitCode> {
    let config = config::load(path)?;
    provision::provision(&config.storage.kind, request).await?;
    Ok(ExitCode::SUCCESS)
}
