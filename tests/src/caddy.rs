//! Caddy serving the built page from `dist/`, plus a site directory holding
//! the page's `config.json` and the checker's `results/`, as in production.

use std::path::Path;
use std::process::Command;

use crate::process::{ChildGuard, free_port};

pub struct Caddy {
    pub port: u16,
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
                 \t@fresh path /config.json /results/*\n\
                 \theader @fresh Cache-Control \"no-store\"\n\
                 \thandle @fresh {{\n\t\troot * {site}\n\t\tfile_server\n\t}}\n\
                 \thandle {{\n\t\troot * {dist}\n\t\tfile_server {{\n\t\t\tprecompressed gzip\n\t\t}}\n\t}}\n}}\n",
                site = site.display(),
                dist = dist.display(),
            ),
        )
        .expect("cannot write the Caddyfile");
        let mut process = ChildGuard::spawn_logged_to(
            "caddy",
            Command::new("caddy")
                .args(["run", "--adapter", "caddyfile", "--config"])
                .arg(&caddyfile),
            &work.join("caddy.log"),
        );
        process.wait_for_port(port);
        Caddy {
            port,
            _process: process,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}
