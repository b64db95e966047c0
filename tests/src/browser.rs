//! The page's browsers driven through their WebDriver servers with
//! fantoccini: headless Chromium (Debian's), Firefox ESR and WebKitGTK, each
//! kept off the network, and working as root.

use std::process::Command;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::process::{ChildGuard, free_port};

/// Narrower than this is a phone: browser windows cannot be made that
/// narrow (Firefox and WebKitGTK stop at about 450 px, Chromium at 500).
const PHONE_BELOW: u32 = 500;

/// A browser engine the page is tested in, with its WebDriver server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Debian's Chromium, through chromedriver.
    Chromium,
    /// Debian's Firefox ESR, through geckodriver.
    Firefox,
    /// WebKitGTK's MiniBrowser (Safari's engine), through WebKitWebDriver
    /// on a virtual X display.
    WebKit,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }
}

pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    /// The width asked for: the page's viewport, in a frame if need be.
    pub width: u32,
    /// A phone's size, for engines whose windows cannot be that narrow:
    /// [`Browser::goto`] then shows the page in a frame of that size.
    phone_frame: Option<(u32, u32)>,
    _profile: tempfile::TempDir,
    _driver: ChildGuard,
}

/// Firefox preferences that keep it from calling home: updates, telemetry,
/// safe browsing lists, captive-portal and connectivity probes, remote
/// settings. Tests send traffic to loopback only.
const FIREFOX_OFFLINE_PREFS: [(&str, serde_json::Value); 16] = [
    ("app.update.auto", serde_json::Value::Bool(false)),
    (
        "browser.safebrowsing.malware.enabled",
        serde_json::Value::Bool(false),
    ),
    (
        "browser.safebrowsing.phishing.enabled",
        serde_json::Value::Bool(false),
    ),
    (
        "browser.safebrowsing.downloads.enabled",
        serde_json::Value::Bool(false),
    ),
    (
        "browser.safebrowsing.blockedURIs.enabled",
        serde_json::Value::Bool(false),
    ),
    ("browser.newtabpage.enabled", serde_json::Value::Bool(false)),
    (
        "datareporting.healthreport.uploadEnabled",
        serde_json::Value::Bool(false),
    ),
    (
        "datareporting.policy.dataSubmissionEnabled",
        serde_json::Value::Bool(false),
    ),
    ("toolkit.telemetry.enabled", serde_json::Value::Bool(false)),
    (
        "network.captive-portal-service.enabled",
        serde_json::Value::Bool(false),
    ),
    (
        "network.connectivity-service.enabled",
        serde_json::Value::Bool(false),
    ),
    ("network.dns.disablePrefetch", serde_json::Value::Bool(true)),
    ("network.prefetch-next", serde_json::Value::Bool(false)),
    ("extensions.update.enabled", serde_json::Value::Bool(false)),
    (
        "extensions.getAddons.cache.enabled",
        serde_json::Value::Bool(false),
    ),
    (
        "media.gmp-manager.updateEnabled",
        serde_json::Value::Bool(false),
    ),
];

impl Browser {
    /// Starts chromedriver and a headless Chromium window of `width`×`height`
    /// (a phone's screen emulated below 500 px).
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::start_in(Engine::Chromium, width, height).await
    }

    /// Starts `engine`'s WebDriver server and a window of `width`×`height`;
    /// see [`Browser::goto`] for phone sizes.
    pub async fn start_in(engine: Engine, width: u32, height: u32) -> Browser {
        let port = free_port();
        let profile = tempfile::tempdir().expect("cannot make a browser profile directory");
        let (name, mut command, caps) = match engine {
            Engine::Chromium => {
                let mut command = Command::new("chromedriver");
                command.arg(format!("--port={port}"));
                (
                    "chromedriver",
                    command,
                    chromium_caps(&profile, width, height),
                )
            }
            Engine::Firefox => {
                let mut command = Command::new("geckodriver");
                command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
                let prefs: serde_json::Map<String, serde_json::Value> = FIREFOX_OFFLINE_PREFS
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                let caps = serde_json::json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": "/usr/bin/firefox-esr",
                        "args": ["-headless", "-profile", profile.path()],
                        "prefs": prefs,
                    }
                });
                ("geckodriver", command, caps)
            }
            Engine::WebKit => {
                let mut command = Command::new("xvfb-run");
                command.args(["-a", "WebKitWebDriver", &format!("--port={port}")]);
                let caps = serde_json::json!({
                    "browserName": "MiniBrowser",
                    "webkitgtk:browserOptions": {
                        "binary": "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "args": ["--automation"],
                    }
                });
                ("WebKitWebDriver", command, caps)
            }
        };
        let mut driver = ChildGuard::spawn_logged(name, &mut command);
        driver.wait_for_port(port);
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::rustls()
            .expect("TLS setup for the WebDriver client")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start a {} session through {name}: {e}\n{name}'s output:\n{}",
                    engine.name(),
                    driver.output()
                )
            });
        if engine != Engine::Chromium {
            client
                .set_window_size(width, height)
                .await
                .unwrap_or_else(|e| panic!("{}: cannot size the window: {e}", engine.name()));
        }
        Browser {
            client,
            engine,
            width,
            phone_frame: (engine != Engine::Chromium && width < PHONE_BELOW)
                .then_some((width, height)),
            _profile: profile,
            _driver: driver,
        }
    }

    /// Opens `url`. At a phone's width in Firefox or WebKit, the page is
    /// opened in a frame of that size on an empty page of the same origin,
    /// and commands go to the frame: its layout, media queries and scripts
    /// see a phone-sized viewport (no touch, unlike Chromium's emulation).
    pub async fn goto(&self, url: &str) {
        let fail = |e: fantoccini::error::CmdError| -> ! {
            panic!("{}: cannot open {url}: {e}", self.engine.name())
        };
        let Some((width, height)) = self.phone_frame else {
            return self.client.goto(url).await.unwrap_or_else(|e| fail(e));
        };
        let origin_end = url
            .find("://")
            .and_then(|at| url[at + 3..].find('/').map(|slash| at + 3 + slash))
            .unwrap_or(url.len());
        let host = format!("{}/phone-frame-host", &url[..origin_end]);
        self.client.goto(&host).await.unwrap_or_else(|e| fail(e));
        self.client
            .execute(
                "document.body.style.margin = '0';
                 const frame = document.createElement('iframe');
                 frame.style = `width:${arguments[1]}px;height:${arguments[2]}px;border:0`;
                 frame.src = arguments[0];
                 document.body.replaceChildren(frame);",
                vec![url.into(), width.into(), height.into()],
            )
            .await
            .unwrap_or_else(|e| fail(e));
        self.client.enter_frame(0).await.unwrap_or_else(|e| fail(e));
    }

    /// Loads the page again, as a visitor's reload does (in the phone frame
    /// when there is one: reloading the frame's host would lose it).
    pub async fn reload(&self) {
        if self.phone_frame.is_some() {
            let url = self.eval("return location.href;").await;
            self.goto(url.as_str().expect("a URL")).await;
        } else {
            self.client
                .refresh()
                .await
                .unwrap_or_else(|e| panic!("{}: cannot reload: {e}", self.engine.name()));
        }
    }

    /// Whether pointing is by touch: Chromium emulates a phone's touch
    /// screen below 500 px; the others are pointed at with a mouse.
    pub fn touches(&self) -> bool {
        self.engine == Engine::Chromium && self.width < PHONE_BELOW
    }

    /// Waits up to `secs` for an element matching `css`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{}: no element matches {css:?} after {secs}s: {e}",
                    self.engine.name()
                )
            })
    }

    /// Evaluates JavaScript in the page and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.engine.name()))
    }

    /// Saves what the browser shows to `target/screenshots/<name>.png`
    /// (`<name>-firefox.png`, `<name>-webkit.png` in the others), for people
    /// to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = crate::workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let file = match self.engine {
            Engine::Chromium => format!("{name}.png"),
            other => format!("{name}-{}.png", other.name().to_lowercase()),
        };
        std::fs::write(dir.join(file), png).unwrap();
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

    /// Lays the page out for print from now on, as a printer gets it, to
    /// see it in a screenshot. Chromium only (through its DevTools
    /// protocol): the other engines' WebDriver servers have no such command.
    pub async fn emulate_print(&self) {
        assert_eq!(
            self.engine,
            Engine::Chromium,
            "print emulation is Chromium's"
        );
        self.client
            .issue_cmd(ChromiumCommand {
                cmd: "Emulation.setEmulatedMedia",
                params: serde_json::json!({"media": "print"}),
            })
            .await
            .expect("Chromium emulates print media");
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

/// Chromium's capabilities: headless, off the network, and a phone's screen
/// emulated below 500 px (a window cannot be narrower).
fn chromium_caps(profile: &tempfile::TempDir, width: u32, height: u32) -> serde_json::Value {
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
    let mut options = serde_json::json!({ "binary": "/usr/bin/chromium", "args": args });
    if width < PHONE_BELOW {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "mobile": true, "touch": true }
        });
    }
    serde_json::json!({ "goog:chromeOptions": options })
}

/// One test per browser engine running `$body(engine)`: `$name::chromium`,
/// `$name::firefox` and `$name::webkit`, so a failure names the browser.
#[macro_export]
macro_rules! in_every_engine {
    ($name:ident, $body:ident) => {
        mod $name {
            use $crate::browser::Engine;

            #[tokio::test(flavor = "multi_thread")]
            async fn chromium() {
                super::$body(Engine::Chromium).await
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn firefox() {
                super::$body(Engine::Firefox).await
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn webkit() {
                super::$body(Engine::WebKit).await
            }
        }
    };
}

/// A DevTools protocol command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct ChromiumCommand {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromiumCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}
