//! One module per subcommand; `dispatch` routes to them and picks the exit code.

mod check;
mod incident;
mod message;
mod notify_test;
mod provision;
mod rebuild;
mod run;
mod validate;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// A command-line argument that names something that does not exist (an
/// incident id, a check): exits like a bad config, having written nothing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit codes, documented in the README.
pub mod exit {
    /// A check was degraded or down (`checker check`).
    pub const NOT_HEALTHY: u8 = 1;
    /// The config is missing or invalid; nothing was run or written.
    pub const BAD_CONFIG: u8 = 2;
    /// `notify-test`: at least one notifier failed.
    pub const NOTIFY_FAILED: u8 = 1;
    /// Storage could not be opened or written.
    pub const STORAGE: u8 = 3;
}

pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { store } => check::check(&cli.config, store).await,
        Command::Run => run::run(&cli.config).await,
        Command::Validate => validate::validate(&cli.config),
        Command::Rebuild => rebuild::rebuild(&cli.config).await,
        Command::Incident { action } => incident::incident(&cli.config, action).await,
        Command::NotifyTest => notify_test::notify_test(&cli.config).await,
        Command::Message { check, clear, text } => {
            message::message(&cli.config, check.as_deref(), clear, text.as_deref())
        }
        Command::Provision {
            reader_user,
            origins,
            page_config,
            page_endpoint,
            title,
            iam_endpoint,
            rotate_key,
        } => {
            let request = crate::provision::Request {
                reader_user,
                origins,
                iam_endpoint,
                rotate_key,
                page_config,
                page_endpoint,
                title,
            };
            provision::provision(&cli.config, &request).await
        }
    }
}
