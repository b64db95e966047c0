//! `checker provision`: set up S3 storage for the page (see `crate::provision`).

use std::path::Path;
use std::process::ExitCode;

use super::CommandError;
use crate::{config, provision};

pub async fn provision(
    path: &Path,
    request: &provision::Request,
) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    provision::provision(&config.storage.kind, request).await?;
    Ok(ExitCode::SUCCESS)
}
