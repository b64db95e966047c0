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
    /// List every kind of check, notifier and storage with its options.
    Kinds,
    /// Regenerate this node's history view and badges from its raw round
    /// files in storage (after losing them, or upgrading from checkup).
    Rebuild,
    /// Open, update or list incidents shown on the status page.
    Incident {
        #[command(subcommand)]
        action: IncidentAction,
    },
    /// Send a test message through every configured notifier and report each.
    /// Exits 0 if all succeeded, 1 if any failed, 2 on a bad config.
    NotifyTest,
    /// Set, clear or list status messages shown with a check's results
    /// (the running checker picks them up from its next round).
    Message {
        /// The check to set or clear the message of.
        #[arg(long)]
        check: Option<String>,
        /// Remove the check's message.
        #[arg(long, requires = "check", conflicts_with = "text")]
        clear: bool,
        /// The message, e.g. "Deploying v2.1; short interruptions expected".
        #[arg(requires = "check")]
        text: Option<String>,
    },
    /// Report to a heartbeat check: a run's success (the default), its
    /// start, or its failure. With `-- COMMAND ARGS...`, run the job (no
    /// shell), report its start and its outcome with its last output
    /// lines, and exit with its status.
    Ping {
        /// The heartbeat check's name.
        check: String,
        /// A run began (judged against max_runtime).
        #[arg(long, conflicts_with_all = ["fail", "exit_code", "job"])]
        start: bool,
        /// The run failed.
        #[arg(long, conflicts_with_all = ["exit_code", "job"])]
        fail: bool,
        /// The run's exit status: 0 is success, anything else failure.
        #[arg(
            long,
            value_name = "N",
            allow_negative_numbers = true,
            conflicts_with = "job"
        )]
        exit_code: Option<i32>,
        /// A note kept with the ping (shown when the run failed).
        #[arg(long, conflicts_with = "job")]
        message: Option<String>,
        /// The job to run and report on.
        #[arg(last = true, value_name = "COMMAND")]
        job: Vec<String>,
    },
    /// Prepare S3 storage for the status page: the bucket, a read-only IAM
    /// user and key (list and get only), CORS for the page's origins, and
    /// optionally the page's config.json. Safe to run again.
    Provision {
        /// IAM user name for the page's read-only key.
        #[arg(long, default_value = "checkup-status-page")]
        reader_user: String,
        /// An origin the page is served from (repeatable), e.g. https://status.example.com
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Write a ready config.json for the page to this path.
        #[arg(long)]
        page_config: Option<PathBuf>,
        /// The S3 endpoint as browsers reach it, when not the one in the config.
        #[arg(long)]
        page_endpoint: Option<String>,
        /// Title for a new page config.
        #[arg(long, default_value = "Status")]
        title: String,
        /// IAM endpoint (for an IAM emulator); AWS's by default.
        #[arg(long)]
        iam_endpoint: Option<String>,
        /// Replace the reader's access key with a new one (the old one stops
        /// working); with --ping-key, the ping key too.
        #[arg(long)]
        rotate_key: bool,
        /// Also make a key that may only write heartbeat pings (PutObject
        /// under <prefix>pings/), for job hosts.
        #[arg(long)]
        ping_key: bool,
        /// IAM user name for the ping key.
        #[arg(long, default_value = "checkup-pinger", requires = "ping_key")]
        ping_user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum IncidentAction {
    /// Open an incident; prints its id.
    Open {
        /// Headline, e.g. "Checkout is failing for some customers".
        #[arg(long)]
        title: String,
        /// A check it affects (repeatable); none = the whole service.
        #[arg(long = "check")]
        checks: Vec<String>,
        /// investigating, identified, monitoring or resolved.
        #[arg(long, default_value = "investigating")]
        state: String,
        /// What is known, in Markdown.
        message: String,
    },
    /// Add an update to an incident (use state "resolved" to close it).
    Update {
        /// The id `open` printed (see `list`).
        id: String,
        #[arg(long)]
        state: String,
        /// A new headline.
        #[arg(long)]
        title: Option<String>,
        /// What changed, in Markdown.
        message: String,
    },
    /// List the incidents recorded on this node.
    List,
}
