//! All data access of the page: `config.json`, then listing and downloading
//! round files from local storage (`local.rs`, via `index.json`) or S3
//! (`s3.rs`, signed in the browser). Nothing here renders; failures come back
//! as [`LoadError`]s that say what failed, for the page to show. `live.rs`
//! runs the refresh loop and holds what it loaded as signals.

mod fetch;
mod live;
mod local;
pub mod raw_reader;
pub mod reports;
mod s3;

pub use live::{PageData, Source};

use std::collections::BTreeMap;

use checkup_model::contract::view_summary::summary_key;
use checkup_model::{CheckResult, NodeView, PageConfig, PageStorage, parse_round};
use futures::StreamExt;
use wasm_bindgen::JsCast;
use web_sys::Response;

/// How many round files are downloaded at once.
const PARALLEL_DOWNLOADS: usize = 6;
/// A round file larger than this is not downloaded: a round of a thousand
/// checks is well under 1 MB, and a hostile or broken file must not hang the page.
pub const MAX_ROUND_BYTES: u64 = 16 * 1024 * 1024;
/// A history view larger than this is refused: 90 days of 50 checks is a
/// few hundred kilobytes.
pub const MAX_VIEW_BYTES: u64 = 64 * 1024 * 1024;

/// Something the page could not load, in words for the visitor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoadError {
    /// What was being loaded: "the page configuration (config.json)".
    pub what: String,
    /// Why it failed.
    pub why: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Could not load {}: {}", self.what, self.why)
    }
}

/// A round file found in storage: its name, timestamp, and the URL to get it.
pub struct Listed {
    pub name: String,
    pub timestamp: i64,
    pub url: String,
    /// For a view: the URL of its node's latest object (empty otherwise).
    pub latest_url: String,
    /// For a view: the URL of its summary (empty when there is none).
    pub summary_url: String,
}

/// A failure to load `what`, named with the URL shown for it.
fn failed(what: &str, shown_url: &str, why: String) -> LoadError {
    LoadError {
        what: format!("{what} ({shown_url})"),
        why,
    }
}

/// Fetches a resource, revalidating what the browser holds (these files
/// change), and checks the answer: see [`checked`].
async fn fetch_checked(
    url: &str,
    what: &str,
    shown_url: &str,
    limit: Option<u64>,
) -> Result<Response, LoadError> {
    checked(fetch::get(url).await, what, shown_url, limit).await
}

/// An answer that came, with a success status and within `limit` bytes (when
/// its length is announced), or why not, in words. `shown_url` names it in
/// errors (a signed URL would show the signature).
async fn checked(
    sent: Result<Response, String>,
    what: &str,
    shown_url: &str,
    limit: Option<u64>,
) -> Result<Response, LoadError> {
    let fail = |why: String| failed(what, shown_url, why);
    let response = sent.map_err(|e| {
        fail(format!(
            "no answer, or the browser blocked it (is CORS set up for this page's origin?) ({e})"
        ))
    })?;
    if !response.ok() {
        // S3 explains refusals in an XML error document: show its code.
        let body = fetch::text(&response).await.unwrap_or_default();
        let detail = checkup_model::s3::parse_list(&body)
            .err()
            .filter(|d| !d.contains("not valid XML"));
        let status = format!("HTTP {} {}", response.status(), response.status_text());
        return Err(fail(match detail {
            Some(d) => format!("{status} ({d})"),
            None => status,
        }));
    }
    let announced = fetch::header(&response, "content-length").and_then(|v| v.parse::<u64>().ok());
    if let (Some(limit), Some(size)) = (limit, announced)
        && size > limit
    {
        return Err(fail(format!(
            "it is {} MB, more than the {} MB allowed for {what}",
            size / 1_000_000,
            limit / 1_000_000
        )));
    }
    Ok(response)
}

/// Fetches a text resource: see [`fetch_checked`].
async fn fetch_text(
    url: &str,
    what: &str,
    shown_url: &str,
    limit: Option<u64>,
) -> Result<String, LoadError> {
    let response = fetch_checked(url, what, shown_url, limit).await?;
    read_text(response, what, shown_url).await
}

async fn read_text(response: Response, what: &str, shown_url: &str) -> Result<String, LoadError> {
    fetch::text(&response)
        .await
        .map_err(|e| unreadable(what, shown_url, e))
}

/// A body that came but could not be read.
fn unreadable(what: &str, shown_url: &str, why: String) -> LoadError {
    failed(
        what,
        shown_url,
        format!("the response could not be read ({why})"),
    )
}

/// Fetches a resource as bytes, with no detour through a JavaScript string
/// (slow for views of a megabyte): see [`fetch_checked`].
async fn fetch_bytes(
    url: &str,
    what: &str,
    shown_url: &str,
    limit: Option<u64>,
) -> Result<Vec<u8>, LoadError> {
    let response = fetch_checked(url, what, shown_url, limit).await?;
    fetch::bytes(&response)
        .await
        .map_err(|e| unreadable(what, shown_url, e))
}

/// The request for `config.json` that `index.html` starts while the page's
/// code is still downloading (`window.checkupConfig`), taken once; `None`
/// when there is none (then the page asks itself).
async fn early_config_response() -> Option<Result<Response, String>> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("checkupConfig");
    let promise = js_sys::Reflect::get(&window, &key).ok()?;
    let promise = promise.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    Some(fetch::answer(promise).await)
}

thread_local! {
    /// `config.json` as served, for the raw-file reader.
    static CONFIG_TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `config.json` as served, once [`load_config`] has read it.
pub fn config_text() -> String {
    CONFIG_TEXT.with(|t| t.borrow().clone())
}

/// Loads and checks `config.json`, served beside the page.
pub async fn load_config() -> Result<PageConfig, LoadError> {
    const WHAT: &str = "the page configuration";
    let response = match early_config_response().await {
        Some(sent) => checked(sent, WHAT, "config.json", None).await?,
        None => fetch_checked("config.json", WHAT, "config.json", None).await?,
    };
    let text = read_text(response, WHAT, "config.json").await?;
    CONFIG_TEXT.with(|t| t.replace(text.clone()));
    PageConfig::parse(&text).map_err(|why| LoadError {
        what: "the page configuration (config.json)".into(),
        why: format!("it is not valid: {why}"),
    })
}

/// Loads the page's texts in `language` (`i18n/<language>.json`, served
/// with the page).
pub async fn load_texts(language: &str) -> Result<crate::i18n::Texts, LoadError> {
    const WHAT: &str = "the page's texts";
    let url = format!("i18n/{language}.json");
    let text = fetch_text(&url, WHAT, &url, None).await?;
    serde_json::from_str(&text).map_err(|e| {
        failed(
            WHAT,
            &url,
            format!("it is not a JSON map of keys to texts ({e})"),
        )
    })
}

/// The whole language file `i18n/<language>.json`, for the Reports page's
/// own texts. (Not [`load_texts`] made generic: that cost the status page
/// 134 bytes.)
pub async fn load_text_map(
    language: &str,
) -> Result<std::collections::HashMap<String, String>, LoadError> {
    const WHAT: &str = "the page's texts";
    let url = format!("i18n/{language}.json");
    let text = fetch_text(&url, WHAT, &url, None).await?;
    serde_json::from_str(&text).map_err(|e| {
        failed(
            WHAT,
            &url,
            format!("it is not a JSON map of keys to texts ({e})"),
        )
    })
}

/// The raw files since `since` (Unix ns) as views, from the raw-file
/// reader (loaded on first use).
pub async fn raw_views(since: i64) -> Result<raw_reader::RawRefresh, LoadError> {
    let config = CONFIG_TEXT.with(|t| t.borrow().clone());
    raw_reader::refresh(&config, since).await
}

/// Round files loaded so far, by file name, plus those that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub rounds: BTreeMap<String, (i64, Vec<CheckResult>)>,
    /// File name -> why it was skipped. Not retried.
    pub skipped: BTreeMap<String, String>,
}

impl Loaded {
    /// Whether the file `name` was loaded or skipped before, so a refresh
    /// fetches only new ones. Asked of the maps themselves, so no set of
    /// all names is built on each refresh.
    pub fn knows(&self, name: &str) -> bool {
        self.rounds.contains_key(name) || self.skipped.contains_key(name)
    }

    /// The newest name loaded or skipped: names start with their timestamp.
    pub fn newest_name(&self) -> Option<&str> {
        let loaded = self.rounds.keys().next_back();
        let skipped = self.skipped.keys().next_back();
        loaded.max(skipped).map(String::as_str)
    }

    /// Adds what a refresh fetched.
    pub fn absorb(&mut self, fetched: Fetched) {
        for (name, ts, results) in fetched.rounds {
            self.rounds.insert(name, (ts, results));
        }
        self.skipped.extend(fetched.skipped);
    }

    /// Forgets files older than `since` (Unix ns).
    pub fn evict_before(&mut self, since: i64) {
        self.rounds.retain(|_, (ts, _)| *ts >= since);
    }
}

/// What one refresh brought in.
pub struct Fetched {
    pub rounds: Vec<(String, i64, Vec<CheckResult>)>,
    pub skipped: Vec<(String, String)>,
}

/// Lists the files of the window and downloads those `known` has not
/// loaded or skipped before, a few at a time.
pub async fn fetch_new(
    config: &PageConfig,
    known: &Loaded,
    since: i64,
) -> Result<Fetched, LoadError> {
    let listed = match &config.storage {
        PageStorage::Local { url } => local::list(url, since).await?,
        storage @ PageStorage::S3 { .. } => s3::list(storage, known, since).await?,
    };
    let wanted = listed.into_iter().filter(|l| !known.knows(&l.name));
    let downloads = futures::stream::iter(wanted.map(|l| async move {
        let outcome =
            match fetch_text(&l.url, "a result file", &l.name, Some(MAX_ROUND_BYTES)).await {
                Ok(text) => parse_round(&text).map_err(|e| e.to_string()),
                Err(e) => Err(e.why),
            };
        (l.name, l.timestamp, outcome)
    }))
    .buffer_unordered(PARALLEL_DOWNLOADS)
    .collect::<Vec<_>>()
    .await;
    let mut fetched = Fetched {
        rounds: Vec::new(),
        skipped: Vec::new(),
    };
    for (name, ts, outcome) in downloads {
        match outcome {
            Ok(results) => fetched.rounds.push((name, ts, results)),
            Err(why) => fetched.skipped.push((name, why)),
        }
    }
    Ok(fetched)
}

/// The nodes' history views, and those that could not be used.
pub struct ViewsFetched {
    pub views: Vec<NodeView>,
    pub skipped: Vec<(String, String)>,
}

/// Lists the history views (one request). None is not an error: the page
/// then falls back to raw files.
pub async fn list_views(config: &PageConfig) -> Result<Vec<Listed>, LoadError> {
    match &config.storage {
        PageStorage::Local { url } => local::list_views(url).await,
        storage @ PageStorage::S3 { .. } => s3::list_views(storage).await,
    }
}

/// Brings each listed node's view up to date (one request per node): a
/// view in `held` from the tail in its node's latest object, when that
/// gives exactly the view a download would (see
/// `checkup_model::contract::view_tail`); otherwise, or for a node not held
/// (the first load), by downloading its summary, or its whole view when
/// `whole` (a check is open, and its chart needs every response time) or
/// there is no summary. A held summary is replaced by the whole view when
/// `whole`.
pub async fn update_views(
    listed: Vec<Listed>,
    mut held: Vec<NodeView>,
    whole: bool,
) -> ViewsFetched {
    let downloads = futures::stream::iter(listed.into_iter().map(|l| {
        let node = checkup_model::contract::node_view::node_of_view_key(&l.name);
        let held = (held.iter())
            .position(|v| Some(v.node.as_str()) == node)
            .map(|at| held.swap_remove(at))
            .filter(|v| !(whole && v.summary));
        let summary_name = node.map(summary_key);
        async move {
            if let Some(mut view) = held
                && let Some(tail) = fetch_tail(&l.latest_url).await
                && view.absorb_tail(&tail)
            {
                return (l.name, Ok(view));
            }
            // What is downloaded, and named if it cannot be used.
            let (url, name) = match (whole || l.summary_url.is_empty(), summary_name) {
                (false, Some(summary)) => (&l.summary_url, summary),
                _ => (&l.url, l.name),
            };
            let outcome =
                match fetch_bytes(url, "a history view", &name, Some(MAX_VIEW_BYTES)).await {
                    Ok(bytes) => std::str::from_utf8(&bytes)
                        .map_err(|e| format!("it is not UTF-8 text ({e})"))
                        .and_then(|text| NodeView::parse(text).map_err(|e| e.to_string())),
                    Err(e) => Err(e.why),
                };
            (name, outcome)
        }
    }))
    .buffer_unordered(PARALLEL_DOWNLOADS)
    .collect::<Vec<_>>()
    .await;
    let mut fetched = ViewsFetched {
        views: Vec::new(),
        skipped: Vec::new(),
    };
    for (name, outcome) in downloads {
        match outcome {
            Ok(view) => fetched.views.push(view),
            Err(why) => fetched.skipped.push((name, why)),
        }
    }
    checkup_model::sorting::sort_by(&mut fetched.views, |a, b| a.node.cmp(&b.node));
    fetched
}

/// The view tail in a node's latest object; none when it is missing,
/// unreadable or written by a checker that keeps no tails, and the view is
/// downloaded instead.
async fn fetch_tail(url: &str) -> Option<NodeView> {
    let response = fetch::get(url).await.ok().filter(Response::ok)?;
    let bytes = fetch::bytes(&response).await.ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    checkup_model::contract::latest::LatestTail::parse(text)
        .ok()?
        .tail
}
