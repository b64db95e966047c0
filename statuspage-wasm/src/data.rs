//! All data access of the page: `config.json`, the results index, and round
//! files, fetched over HTTP. Nothing here renders; failures come back as
//! [`LoadError`]s that say what failed, for the page to show.

use std::collections::{BTreeMap, BTreeSet};

use checkup_model::index::files_since;
use checkup_model::{CheckResult, Index, PageConfig, PageStorage, parse_round};
use futures::StreamExt;
use gloo_net::http::Request;
use web_sys::RequestCache;

/// How many round files are downloaded at once.
const PARALLEL_DOWNLOADS: usize = 6;

/// Something the page could not load, in words for the visitor.
#[derive(Debug, Clone, PartialEq)]
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

/// Fetches a text resource, bypassing the HTTP cache (these files change).
async fn fetch_text(url: &str, what: &str) -> Result<String, LoadError> {
    let fail = |why: String| LoadError {
        what: format!("{what} ({url})"),
        why,
    };
    let response = Request::get(url)
        .cache(RequestCache::NoStore)
        .send()
        .await
        .map_err(|e| fail(format!("the server did not answer ({e})")))?;
    if !response.ok() {
        return Err(fail(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        )));
    }
    response
        .text()
        .await
        .map_err(|e| fail(format!("the response could not be read ({e})")))
}

/// Loads and checks `config.json`, served beside the page.
pub async fn load_config() -> Result<PageConfig, LoadError> {
    let text = fetch_text("config.json", "the page configuration").await?;
    PageConfig::parse(&text).map_err(|why| LoadError {
        what: "the page configuration (config.json)".into(),
        why: format!("it is not valid: {why}"),
    })
}

/// Round files loaded so far, by file name, plus those that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub rounds: BTreeMap<String, (i64, Vec<CheckResult>)>,
    /// File name -> why it was skipped. Not retried.
    pub skipped: BTreeMap<String, String>,
}

impl Loaded {
    /// Names of every file loaded or skipped, so a refresh fetches only new ones.
    pub fn known_names(&self) -> BTreeSet<String> {
        self.rounds
            .keys()
            .chain(self.skipped.keys())
            .cloned()
            .collect()
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

/// Lists the files of the window and downloads those not in `known`
/// (names already loaded or skipped).
pub async fn fetch_new(
    config: &PageConfig,
    known: &BTreeSet<String>,
    since: i64,
) -> Result<Fetched, LoadError> {
    let PageStorage::Local { url } = &config.storage;
    let base = if url.ends_with('/') {
        url.clone()
    } else {
        format!("{url}/")
    };
    let index_text = fetch_text(&format!("{base}index.json"), "the results index").await?;
    let index: Index = serde_json::from_str(&index_text).map_err(|e| LoadError {
        what: format!("the results index ({base}index.json)"),
        why: format!("it is not a JSON map of file names to timestamps ({e})"),
    })?;
    let wanted: Vec<(String, i64)> = files_since(&index, since)
        .into_iter()
        .filter(|(name, _)| !known.contains(*name))
        .map(|(name, ts)| (name.to_string(), ts))
        .collect();
    let downloads = futures::stream::iter(wanted.into_iter().map(|(name, ts)| {
        let url = format!("{base}{name}");
        async move {
            let outcome = match fetch_text(&url, "a result file").await {
                Ok(text) => parse_round(&text).map_err(|e| e.to_string()),
                Err(e) => Err(e.why),
            };
            (name, ts, outcome)
        }
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
