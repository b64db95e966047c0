//! Caddy serving the built page from `dist/`, plus a site directory holding
//! the page's `config.json` and the checker's `results/`, as in production.

use std::path::Path;
use std::process::Command;

use crate::process::{ChildGuard, free_port};

pub struct Caddy {
    pub port: u16,
    access_log: std::path::PathBuf,
    _process: ChildGuard,
}

impl Caddy {
    /// Serves `dist` at `/`, and `site/config.json` and `site/results/*` over it.
    /// `work` holds the Caddyfile and log.
    pub fn start(dist: &Path, site: &Path, work: &Path) -> Caddy {
        Caddy::start_with(dist, site, work, "")
    }

    /// As [`Caddy::start`], with more directives in the site block
    /// (`encode gzip` for the benchmark, as production would have).
    pub fn start_with(dist: &Path, site: &Path, work: &Path, extra: &str) -> Caddy {
        let port = free_port();
        let caddyfile = work.join("Caddyfile");
        std::fs::write(
            &caddyfile,
            format!(
                "{{\n\tadmin off\n\tauto_https off\n}}\n\n\
                 http://127.0.0.1:{port} {{\n\
                 \t{extra}\n\
                 \tlog {{\n\t\toutput file {log}\n\t\tformat json\n\t}}\n\
                 \t@fresh path /config.json /results/*\n\
                 \theader @fresh Cache-Control \"no-cache\"\n\
                 \t@rounds path_regexp /results/[0-9]{{19}}-[^/]*-check[.]json$\n\
                 \theader @rounds Cache-Control \"public, max-age=31536000, immutable\"\n\
                 \thandle @fresh {{\n\t\troot * {site}\n\t\tfile_server\n\t}}\n\
                 \thandle {{\n\t\troot * {dist}\n\t\tfile_server {{\n\t\t\tprecompressed gzip\n\t\t}}\n\t}}\n}}\n",
                site = site.display(),
                dist = dist.display(),
                log = work.join("access.log").display(),
            ),
        )
        .expect("cannot write the Caddyfile");
        Caddy::run("caddy", &caddyfile, port, work.join("access.log"))
    }

    /// A reverse proxy to `upstream` (as a CDN or gateway in front of a
    /// bucket would be), logging every request. The Host header passes
    /// through unchanged, so presigned URLs for the proxy's address hold.
    pub fn proxy(upstream: &str, work: &Path) -> Caddy {
        let port = free_port();
        let caddyfile = work.join("Caddyfile.proxy");
        let access_log = work.join("proxy-access.log");
        std::fs::write(
            &caddyfile,
            format!(
                "{{\n\tadmin off\n\tauto_https off\n}}\n\n\
                 http://127.0.0.1:{port} {{\n\
                 \tlog {{\n\t\toutput file {log}\n\t\tformat json\n\t}}\n\
                 \treverse_proxy {upstream}\n}}\n",
                log = access_log.display(),
            ),
        )
        .expect("cannot write the proxy's Caddyfile");
        Caddy::run("caddy proxy", &caddyfile, port, access_log)
    }

    /// Starts Caddy on `caddyfile` (its output beside it, as `<file>.log`)
    /// and waits until it listens on `port`.
    fn run(
        name: &'static str,
        caddyfile: &Path,
        port: u16,
        access_log: std::path::PathBuf,
    ) -> Caddy {
        let mut process = ChildGuard::spawn_logged_to(
            name,
            Command::new("caddy")
                .args(["run", "--adapter", "caddyfile", "--config"])
                .arg(caddyfile),
            &std::path::PathBuf::from(format!("{}.log", caddyfile.display())),
        );
        process.wait_for_port(port);
        Caddy {
            port,
            access_log,
            _process: process,
        }
    }

    /// The requests answered so far, from Caddy's access log: (URI, status).
    pub fn answered(&self) -> Vec<(String, u16)> {
        let log = std::fs::read_to_string(&self.access_log).unwrap_or_default();
        log.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|entry| {
                (
                    entry["request"]["uri"].as_str().unwrap_or("").to_string(),
                    entry["status"].as_u64().unwrap_or(0) as u16,
                )
            })
            .collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}
