//! Headless Chromium (Debian's) driven through chromedriver with fantoccini,
//! with the flags that keep it off the network and working as root.

use std::process::Command;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::process::{ChildGuard, free_port};

pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: ChildGuard,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium window of `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let mut driver = ChildGuard::spawn_logged(
            "chromedriver",
            Command::new("chromedriver").arg(format!("--port={port}")),
        );
        driver.wait_for_port(port);
        let profile = tempfile::tempdir().expect("cannot make a browser profile directory");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let mut caps = serde_json::Map::new();
        let mut options = serde_json::json!({ "binary": "/usr/bin/chromium", "args": args });
        // A window cannot be narrower than about 500 px, so phone sizes are
        // emulated as a phone's screen (viewport meta tag and touch included).
        if width < 500 {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "mobile": true, "touch": true }
            });
        }
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::rustls()
            .expect("TLS setup for the WebDriver client")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start a Chromium session through chromedriver: {e}\nchromedriver's output:\n{}",
                    driver.output()
                )
            });
        Browser {
            client,
            _profile: profile,
            _driver: driver,
        }
    }

    /// Waits up to `secs` for an element matching `css`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element matches {css:?} after {secs}s: {e}"))
    }

    /// Evaluates JavaScript in the page and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Saves what the browser shows to `target/screenshots/<name>.png`, for
    /// people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = crate::workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Runs axe-core on the page as it is and returns its violations as
    /// `[id, impact, nodes, first target, summary]`.
    pub async fn axe_violations(&self) -> Vec<serde_json::Value> {
        self.client.execute(&axe_source(), vec![]).await.unwrap();
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(' '), v.nodes[0].failureSummary])))
                    .catch(e => done([['axe failed', String(e)]]));",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// Ends the session; the guard then stops chromedriver and the browser.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// axe-core's script, installed by scripts/setup.
fn axe_source() -> String {
    let tools = std::env::var_os("CHECKUP_TOOLS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".local/share/checkup-rs")
        });
    let path = tools.join("axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed at {} ({e}): run scripts/setup",
            path.display()
        )
    })
}
