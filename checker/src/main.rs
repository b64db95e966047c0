//! The `checker` binary: parse arguments, set up logging and the runtime, run
//! the command, and print its error with the exit code the error's kind has.

use checker::{cli, commands};
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // `check` prints a table: per-check log lines would only repeat it.
    let quiet = !matches!(cli.command, cli::Command::Run);
    init_logging(if quiet { "warn" } else { "warn,checker=info" });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("cannot start the async runtime");
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => code,
        Err(err) => {
            let code = err.exit_code();
            // `{:#}` prints the error with its causes.
            eprintln!("error: {:#}", anyhow::Error::from(err));
            ExitCode::from(code)
        }
    }
}

/// Logs go to stderr (stdout is for the table), plain when not on a terminal
/// so journald shows them cleanly. `RUST_LOG` overrides the level.
fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
