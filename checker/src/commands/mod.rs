//! One module per subcommand; `dispatch` routes to them. Their errors are
//! typed (`error.rs`), and each kind of error has its exit code.

mod check;
mod error;
mod incident;
pub mod kinds;
mod message;
mod notify_test;
mod ping;
mod provision;
mod rebuild;
mod run;
mod validate;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub use error::{CommandError, exit};

pub async fn dispatch(cli: Cli) -> Result<ExitCode, CommandError> {
    match cli.command {
        Command::Check { store } => check::check(&cli.config, store).await,
        Command::Run => run::run(&cli.config).await,
        Command::Validate => validate::validate(&cli.config),
        Command::Kinds => Ok(kinds::kinds()),
        Command::Rebuild => rebuild::rebuild(&cli.config).await,
        Command::Incident { action } => incident::incident(&cli.config, action).await,
        Command::NotifyTest => notify_test::notify_test(&cli.config).await,
        Command::Message { check, clear, text } => {
            message::message(&cli.config, check.as_deref(), clear, text.as_deref())
        }
        Command::Ping {
            check,
            start,
            fail,
            exit_code,
            message,
            job,
        } => {
            let report = if !job.is_empty() {
                ping::Report::Job(job)
            } else if start {
                ping::Report::Start
            } else if fail || exit_code.is_some_and(|c| c != 0) {
                ping::Report::Fail(exit_code)
            } else {
                ping::Report::Success
            };
            ping::ping(&cli.config, &check, report, message.unwrap_or_default()).await
        }
        Command::Provision {
            reader_user,
            origins,
            page_config,
            page_endpoint,
            title,
            iam_endpoint,
            rotate_key,
            ping_key,
            ping_user,
        } => {
            let request = crate::provision::Request {
                reader_user,
                origins,
                iam_endpoint,
                rotate_key,
                page_config,
                page_endpoint,
                title,
                ping_user: ping_key.then_some(ping_user),
            };
            provision::provision(&cli.config, &request).await
        }
    }
}
