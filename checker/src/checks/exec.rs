//! Exec checks: run a command with arguments; exit 0 is healthy, anything
//! else down (or degraded with `on_failure = "degraded"`); optional conditions
//! on its output. On timeout the command and everything it started is killed.

use std::process::Stdio;

use async_trait::async_trait;
use tokio::io::AsyncReadExt;

use super::{Attempted, Builder, Probe};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "exec",
    about: "run a program (no shell); exit 0 is healthy",
    options: &[
        opt(
            "command",
            "\"/usr/local/bin/check-backups\"",
            "the program to run (required)",
        ),
        opt("args", "[\"--max-age\", \"26h\"]", "its arguments"),
        opt(
            "on_failure",
            "\"down\"",
            "what a non-zero exit is: \"down\" (default) or \"degraded\"",
        ),
        opt(
            "output_contains",
            "\"OK\"",
            "stdout + stderr must contain this",
        ),
        opt(
            "output_not_contains",
            "\"FAIL\"",
            "... and must not contain this",
        ),
        opt(
            "output_regex",
            "\"[0-9]+ files\"",
            "... and must match this",
        ),
    ],
    build,
};

/// Output beyond this is not kept (it is still drained, so the command never blocks).
const MAX_OUTPUT: u64 = 64 * 1024;

pub struct ExecProbe {
    command: String,
    args: Vec<String>,
    failure_is_warning: bool,
    output_contains: Option<String>,
    output_not_contains: Option<String>,
    output_regex: Option<regex::bytes::Regex>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let command = table.required_text("command")?;
    let failure_is_warning = table
        .parse("on_failure", |text| match text {
            "down" => Ok(false),
            "degraded" => Ok(true),
            other => Err(format!("must be \"down\" or \"degraded\", not {other:?}")),
        })?
        .unwrap_or(false);
    Ok(Box::new(ExecProbe {
        command,
        args: table.text_list("args")?.unwrap_or_default(),
        failure_is_warning,
        output_contains: table.non_empty_text("output_contains")?,
        output_not_contains: table.non_empty_text("output_not_contains")?,
        output_regex: table.regex("output_regex")?,
    }))
}

/// Kills the command's whole process group if the attempt is abandoned
/// (timeout) before it exits.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            // SAFETY: killpg only sends a signal; the group is the child's own.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

#[async_trait]
impl Probe for ExecProbe {
    fn endpoint(&self) -> String {
        std::iter::once(self.command.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let mut child = tokio::process::Command::new(&self.command)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a timeout kills its children too.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.command))?;
        let mut guard = GroupGuard(child.id().map(|id| id as i32));
        let (mut stdout, mut stderr) = (
            child.stdout.take().expect("piped"),
            child.stderr.take().expect("piped"),
        );
        let (out, err, status) = tokio::join!(
            read_capped(&mut stdout),
            read_capped(&mut stderr),
            child.wait()
        );
        guard.0 = None;
        let status = status.map_err(|e| format!("waiting for {} failed: {e}", self.command))?;
        let mut output = out;
        output.extend_from_slice(&err);
        let text = String::from_utf8_lossy(&output);
        let last_line = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let failure = if !status.success() {
            let how = match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed by a signal".to_string(),
            };
            Some(if last_line.is_empty() {
                how
            } else {
                format!("{how}: {last_line}")
            })
        } else if let Some(needle) = self
            .output_contains
            .as_ref()
            .filter(|n| !text.contains(n.as_str()))
        {
            Some(format!("output does not contain {needle:?}"))
        } else if let Some(needle) = self
            .output_not_contains
            .as_ref()
            .filter(|n| text.contains(n.as_str()))
        {
            Some(format!("output contains {needle:?}"))
        } else {
            self.output_regex
                .as_ref()
                .filter(|re| !re.is_match(&output))
                .map(|re| format!("output does not match /{}/", re.as_str()))
        };
        match failure {
            None => Ok(Attempted::Ok),
            Some(why) if self.failure_is_warning => Ok(Attempted::Warning(why)),
            Some(why) => Err(why),
        }
    }
}

/// Reads up to MAX_OUTPUT bytes and drains the rest.
async fn read_capped(reader: &mut (impl tokio::io::AsyncRead + Unpin)) -> Vec<u8> {
    let mut kept = Vec::new();
    let _ = (&mut *reader).take(MAX_OUTPUT).read_to_end(&mut kept).await;
    let _ = tokio::io::copy(reader, &mut tokio::io::sink()).await;
    kept
}
