//! Command-line interface (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Distributed health checks that write checkup-compatible results for a static status page.
#[derive(Debug, Parser)]
#[command(name = "checker", version)]
pub struct Cli {
    /// The config file (TOML).
    #[arg(
        long,
        short,
        global = true,
        env = "CHECKER_CONFIG",
        default_value = "checker.toml"
    )]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check once and print a table. Exits 1 if any check is not healthy.
    Check {
        /// Also write the round to the configured storage.
        #[arg(long)]
        store: bool,
    },
    /// Run rounds every interval and store them, until SIGINT or SIGTERM
    /// (the round in flight is finished and stored first).
    Run,
    /// Check the config file and exit, running nothing.
    Validate,
}
