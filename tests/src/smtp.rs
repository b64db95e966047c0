//! A real SMTP server on loopback (Python's aiosmtpd from PyPI, installed by
//! scripts/setup) that records every message it accepts: plain, STARTTLS or
//! implicit TLS with a certificate from a test CA, optionally requiring AUTH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::{ChildGuard, free_port};
use crate::tls_server::TestCa;

const SCRIPT: &str = include_str!("smtp_server.py");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    Plain,
    StartTls,
    ImplicitTls,
}

impl SmtpMode {
    /// The checker's `tls = "..."` for this mode.
    pub fn tls_option(self) -> &'static str {
        match self {
            SmtpMode::Plain => "none",
            SmtpMode::StartTls => "starttls",
            SmtpMode::ImplicitTls => "tls",
        }
    }
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The whole message as sent: headers, blank line, body.
    pub data: String,
    pub authenticated: bool,
    pub login: Option<String>,
    pub tls: bool,
}

impl Mail {
    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_string()
    }
}

pub struct SmtpServer {
    pub port: u16,
    pub mode: SmtpMode,
    dir: tempfile::TempDir,
    _process: ChildGuard,
}

impl SmtpServer {
    /// Starts a server; with `auth`, AUTH (PLAIN/LOGIN) with that user and
    /// password is required (and only offered over TLS unless plain).
    pub fn start(mode: SmtpMode, auth: Option<(&str, &str)>) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut command = Command::new("python3");
        command
            .arg("-c")
            .arg(SCRIPT)
            .args(["--port", &port.to_string()])
            .arg("--dir")
            .arg(dir.path().join("mail"))
            .args([
                "--mode",
                mode.tls_option().replace("none", "plain").as_str(),
            ]);
        std::fs::create_dir_all(dir.path().join("mail")).unwrap();
        if mode != SmtpMode::Plain {
            let ca = TestCa::new();
            let leaf = ca.leaf(&["127.0.0.1", "localhost"], 30);
            std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
            std::fs::write(dir.path().join("cert.pem"), &leaf.chain_pem).unwrap();
            std::fs::write(dir.path().join("key.pem"), &leaf.key_pem).unwrap();
            command
                .arg("--cert")
                .arg(dir.path().join("cert.pem"))
                .arg("--key")
                .arg(dir.path().join("key.pem"));
        }
        if let Some((user, password)) = auth {
            command.args(["--user", user, "--password", password]);
        }
        let mut process = ChildGuard::spawn_logged("aiosmtpd (pip install aiosmtpd)", &mut command);
        process.wait_for_port(port);
        SmtpServer {
            port,
            mode,
            dir,
            _process: process,
        }
    }

    /// The test CA's certificate, for the notifier's `ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        read_mail(&self.mail_dir())
    }

    /// Waits until at least `n` messages have arrived; returns them all.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} mails within {within:?}, got {}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn read_mail(dir: &Path) -> Vec<Mail> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .map(|p| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            Mail {
                from: v["mail_from"].as_str().unwrap_or_default().into(),
                to: v["rcpt_tos"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                data: v["data"].as_str().unwrap_or_default().into(),
                authenticated: v["authenticated"].as_bool().unwrap_or(false),
                login: v["login"].as_str().map(String::from),
                tls: v["tls"].as_bool().unwrap_or(false),
            }
        })
        .collect()
}
