//! `checker ping`: one report to a heartbeat check, written as its own
//! object through the storage code (spooled if storage fails), or a job run
//! and reported on: its start, then its outcome with its last output lines.

use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::CommandError;
use crate::heartbeat::spool::PingSpool;
use crate::heartbeat::{MAX_MESSAGE_BYTES, Ping, PingKind};
use crate::storage::Storage;
use crate::{config, storage};

/// What is reported.
pub enum Report {
    Start,
    Success,
    /// With the exit status, if known.
    Fail(Option<i32>),
    /// Run this job (program and arguments) and report on it.
    Job(Vec<String>),
}

pub async fn ping(
    path: &Path,
    check: &str,
    report: Report,
    message: String,
) -> Result<ExitCode, CommandError> {
    let config = config::load(path)?;
    let heartbeats: Vec<_> = config
        .checks
        .iter()
        .filter_map(|c| c.ping_feed().map(|f| (c.common.name.as_str(), f)))
        .collect();
    let Some((_, feed)) = heartbeats.iter().find(|(name, _)| *name == check) else {
        let names: Vec<&str> = heartbeats.iter().map(|(n, _)| *n).collect();
        return Err(CommandError::Usage(format!(
            "{check:?} is not a heartbeat check in {}; {}",
            path.display(),
            if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("its heartbeat checks are: {}", names.join(", "))
            }
        )));
    };
    let spool = PingSpool::open(&config.state_dir)
        .map_err(CommandError::storage("cannot open the ping spool"))?;
    // Storage that cannot even be opened is a failure to report now: the
    // config is wrong, not the network.
    let storage = storage::open(&config.storage)
        .await
        .map_err(CommandError::storage("cannot open storage"))?;
    if let Ok(replayed) = spool.replay(storage.as_ref()).await
        && replayed > 0
    {
        eprintln!("checker ping: {replayed} spooled ping(s) stored");
    }
    let sender = Sender {
        storage: storage.as_ref(),
        spool: &spool,
        slug: &feed.slug,
    };
    match report {
        Report::Start => sender.send(Ping::now(PingKind::Start)).await,
        Report::Success => {
            let mut ping = Ping::now(PingKind::Success);
            ping.message = truncate(message);
            sender.send(ping).await
        }
        Report::Fail(code) => {
            let mut ping = Ping::now(PingKind::Fail);
            ping.exit_code = code;
            ping.message = truncate(message);
            sender.send(ping).await
        }
        Report::Job(job) => {
            sender.send(Ping::now(PingKind::Start)).await?;
            let (outcome, output, took) = run_job(&job).await;
            let mut ping = Ping::now(match outcome {
                Ok(0) => PingKind::Success,
                _ => PingKind::Fail,
            });
            ping.duration_ms = Some(took.as_millis() as u64);
            ping.message = output;
            let status = match outcome {
                Ok(code) => {
                    ping.exit_code = Some(code);
                    code
                }
                Err(why) => {
                    ping.message = why;
                    127
                }
            };
            sender.send(ping).await?;
            return Ok(ExitCode::from(status.clamp(0, 255) as u8));
        }
    }
    .map(|()| ExitCode::SUCCESS)
}

struct Sender<'a> {
    storage: &'a dyn Storage,
    spool: &'a PingSpool,
    slug: &'a str,
}

impl Sender<'_> {
    /// Stores the ping; if storage fails, spools it (and says so): a job's
    /// report is not lost to an outage.
    async fn send(&self, ping: Ping) -> Result<(), CommandError> {
        let key = ping.key(self.slug);
        let bytes = serde_json::to_vec(&ping).expect("a ping serializes");
        match self
            .storage
            .put(&key, bytes.clone(), "application/json")
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let waiting = self
                    .spool
                    .push(&key, &bytes)
                    .map_err(CommandError::storage(format!(
                        "storage failed ({e}) and the ping could not be spooled either"
                    )))?;
                eprintln!(
                    "checker ping: storage failed ({e}); the ping is spooled ({waiting} waiting) and goes with the next ping or the checker's next round on this host"
                );
                Ok(())
            }
        }
    }
}

/// Runs `job`, passing its output through, and returns its exit status (or
/// why it could not run; a signal counts as 128 + its number, as shells
/// say), its last output, and how long it took.
async fn run_job(job: &[String]) -> (Result<i32, String>, String, std::time::Duration) {
    let started = Instant::now();
    let mut command = tokio::process::Command::new(&job[0]);
    command
        .args(&job[1..])
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let why = format!("cannot run {:?}: {e}", job[0]);
            eprintln!("checker ping: {why}");
            return (Err(why), String::new(), started.elapsed());
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let (out, err) = tokio::join!(
        tee(stdout, std::io::stdout()),
        tee(stderr, std::io::stderr())
    );
    let status = child.wait().await;
    let code = match status {
        Ok(status) => {
            use std::os::unix::process::ExitStatusExt;
            Ok(status
                .code()
                .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
        }
        Err(e) => Err(format!("cannot wait for {:?}: {e}", job[0])),
    };
    let mut output = out;
    output.push_str(&err);
    (code, tail(&output), started.elapsed())
}

/// Copies `from` to `to` as it comes (a job's output stays where its
/// caller, cron or systemd, looks), keeping the last part of it.
async fn tee(mut from: impl AsyncRead + Unpin, mut to: impl std::io::Write) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let _ = to.write_all(&buf[..n]);
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > 2 * MAX_MESSAGE_BYTES {
                    kept.drain(..kept.len() - MAX_MESSAGE_BYTES);
                }
            }
        }
    }
    let _ = to.flush();
    String::from_utf8_lossy(&kept).into_owned()
}

/// The last [`MAX_MESSAGE_BYTES`] of a job's output, on a line boundary.
fn tail(output: &str) -> String {
    if output.len() <= MAX_MESSAGE_BYTES {
        return output.to_string();
    }
    let mut start = output.len() - MAX_MESSAGE_BYTES;
    while !output.is_char_boundary(start) {
        start += 1;
    }
    let rest = &output[start..];
    rest.find('\n')
        .map_or(rest, |nl| &rest[nl + 1..])
        .to_string()
}

fn truncate(mut message: String) -> String {
    if message.len() > MAX_MESSAGE_BYTES {
        let mut end = MAX_MESSAGE_BYTES;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    message
}
