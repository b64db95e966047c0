//! Child processes that die with their guard, keep their output for the
//! failure message, and are waited for until they listen; free loopback
//! ports.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a helper process may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The end of a helper's output shown when it fails to start.
const OUTPUT_SHOWN: u64 = 8 * 1024;

/// Kills and reaps the child, and everything it started, when dropped, so no
/// server outlives its test. The child leads its own process group, so the
/// browsers a chromedriver starts go with it.
pub struct ChildGuard {
    pub child: Child,
    pub name: &'static str,
    /// Where the child's output goes, and from which byte this run's begins.
    log: Option<(PathBuf, u64)>,
    _log_dir: Option<tempfile::TempDir>,
}

impl ChildGuard {
    /// Starts `command` as it is set up (its output goes where the command
    /// says).
    pub fn spawn(name: &'static str, command: &mut Command) -> ChildGuard {
        ChildGuard::start(name, command, None, None)
    }

    /// Starts a helper server with its stdout and stderr kept in a file of
    /// its own, which [`ChildGuard::wait_for_port`] shows if it fails to
    /// start.
    pub fn spawn_logged(name: &'static str, command: &mut Command) -> ChildGuard {
        let dir = tempfile::tempdir().expect("cannot make a directory for a helper's log");
        let log = dir.path().join("output.log");
        ChildGuard::start(name, command, Some(&log), Some(dir))
    }

    /// As [`ChildGuard::spawn_logged`], appending to `log` (which a test may
    /// keep, or share between restarts of one server).
    pub fn spawn_logged_to(name: &'static str, command: &mut Command, log: &Path) -> ChildGuard {
        ChildGuard::start(name, command, Some(log), None)
    }

    fn start(
        name: &'static str,
        command: &mut Command,
        log: Option<&Path>,
        log_dir: Option<tempfile::TempDir>,
    ) -> ChildGuard {
        use std::os::unix::process::CommandExt;
        let log = log.map(|path| {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
            let from = file.metadata().map(|m| m.len()).unwrap_or(0);
            let copy = file.try_clone().expect("cannot share a log file");
            command.stdout(copy).stderr(file);
            (path.to_path_buf(), from)
        });
        let child = command
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {name} ({command:?}): {e}; run scripts/setup to install it")
            });
        ChildGuard {
            child,
            name,
            log,
            _log_dir: log_dir,
        }
    }

    /// What the child has written so far (its last few KB), for a failure
    /// message; empty when its output is not kept.
    pub fn output(&self) -> String {
        let Some((path, from)) = &self.log else {
            return String::new();
        };
        let Ok(mut file) = File::open(path) else {
            return String::new();
        };
        let end = file.metadata().map(|m| m.len()).unwrap_or(0);
        let start = (*from).max(end.saturating_sub(OUTPUT_SHOWN));
        let mut bytes = Vec::new();
        let _ = file.seek(SeekFrom::Start(start));
        let _ = file.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Waits until something accepts connections on `port`. Fails at once,
    /// with the child's output, if the child exits first; and with its output
    /// if nothing listens in time.
    pub fn wait_for_port(&mut self, port: u16) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before listening on 127.0.0.1:{port}; its output:\n{}",
                    self.name,
                    self.output()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{} did not start listening on 127.0.0.1:{port} within {START_TIMEOUT:?}; its output:\n{}",
                    self.name,
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody is listening on right now, and never handed out
/// before in this process: tests run in parallel, and the OS may offer a
/// port again as soon as it is released, before the first taker binds it.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("cannot bind a loopback port")
            .port();
        if HANDED_OUT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(port)
        {
            return port;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests below take free ports at the same moment and could be
    /// handed the same one (one test's listener then answers the other's
    /// wait): they run one at a time.
    static PORTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn a_helper_that_exits_fails_at_once_with_its_output() {
        let _one_at_a_time = PORTS.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let failure = std::panic::catch_unwind(|| {
            let mut helper = ChildGuard::spawn_logged(
                "helper",
                Command::new("sh").args(["-c", "echo 'No module named moto' >&2; exit 1"]),
            );
            helper.wait_for_port(free_port());
        })
        .expect_err("a helper that exited was waited for as if it listened");
        let message = failure
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert!(
            message.contains("helper exited (exit status: 1)")
                && message.contains("No module named moto"),
            "{message}"
        );
        assert!(
            started.elapsed() < START_TIMEOUT / 4,
            "noticed the exit only after {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_helper_that_listens_is_waited_for() {
        let _one_at_a_time = PORTS.lock().unwrap_or_else(|e| e.into_inner());
        let port = free_port();
        let script = format!(
            "import socket, time\ns = socket.socket()\ntime.sleep(0.3)\ns.bind(('127.0.0.1', {port}))\ns.listen()\ntime.sleep(30)"
        );
        let mut helper =
            ChildGuard::spawn_logged("listener", Command::new("python3").args(["-c", &script]));
        helper.wait_for_port(port);
        assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    }

    #[test]
    fn a_log_shared_between_restarts_shows_only_this_run() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        for run in ["first", "second"] {
            let mut helper = ChildGuard::spawn_logged_to(
                "server",
                Command::new("sh").args(["-c", &format!("echo {run} run >&2")]),
                &log,
            );
            helper.child.wait().unwrap();
            assert_eq!(helper.output(), format!("{run} run\n"));
        }
    }
}
