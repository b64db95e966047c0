//! What stops a command, and the exit code each cause means. The README's
//! table of exit codes is this file's, and `tests/cli.rs` runs one case each.

use crate::config::ConfigError;
use crate::messages::MessagesError;
use crate::provision::ProvisionError;
use crate::storage::StorageError;

/// Exit codes, documented in the README.
pub mod exit {
    /// A check was degraded or down (`checker check`).
    pub const NOT_HEALTHY: u8 = 1;
    /// `notify-test`: at least one notifier failed.
    pub const NOTIFY_FAILED: u8 = 1;
    /// The config is missing or invalid, or an argument names what does not
    /// exist; nothing was run or written.
    pub const BAD_CONFIG: u8 = 2;
    /// Storage (or the checker's state directory) could not be opened,
    /// read or written.
    pub const STORAGE: u8 = 3;
    /// `provision`: S3 or IAM refused or failed a step.
    pub const PROVISION: u8 = 4;
}

/// Why a command stopped before finishing.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A command-line argument names something that does not exist (an
    /// incident id, a check, a state).
    #[error("{0}")]
    Usage(String),
    /// Storage failed; `doing` says at what ("cannot store the round in ...").
    #[error("{doing}")]
    Storage {
        doing: String,
        #[source]
        source: StorageError,
    },
    #[error(transparent)]
    Messages(#[from] MessagesError),
    #[error(transparent)]
    Provision(#[from] ProvisionError),
}

impl CommandError {
    /// A storage failure while `doing` something.
    pub fn storage(doing: impl Into<String>) -> impl FnOnce(StorageError) -> CommandError {
        let doing = doing.into();
        move |source| CommandError::Storage { doing, source }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Config(_) | CommandError::Usage(_) => exit::BAD_CONFIG,
            CommandError::Storage { .. } | CommandError::Messages(_) => exit::STORAGE,
            CommandError::Provision(ProvisionError::NotS3(_)) => exit::BAD_CONFIG,
            CommandError::Provision(_) => exit::PROVISION,
        }
    }
}
