//! S3 straight from the browser: ListObjectsV2 from the window's start (or the
//! newest file already loaded), following continuation tokens, and GETs of
//! each file. With a read-only key every URL is presigned (SigV4 in the query
//! string), so requests stay "simple" and need no CORS preflight; without one
//! (a public bucket) they go unsigned.

use checkup_model::contract::latest::latest_key;
use checkup_model::contract::node_view::node_of_view_key;
use checkup_model::contract::report::parse_report_key;
use checkup_model::contract::view_summary::summary_key;
use checkup_model::s3::sigv4::{Credentials, presign_get};
use checkup_model::s3::{S3Location, parse_list};
use checkup_model::{PageStorage, ResultFileName};

use super::reports::ListedReport;
use super::{Listed, LoadError, fetch_text};

/// Presigned URLs are signed as of the start of a window this long
/// (seconds), so a refresh asks for the same URL as the one before and the
/// browser can revalidate what it holds (304) instead of downloading it.
const SIGNING_WINDOW_SECS: i64 = 300;
/// And live this long from then: at least ten minutes after first use.
const URL_LIFETIME_SECS: u32 = 900;
/// A listing longer than this many pages is a misconfiguration, not history.
const MAX_LIST_PAGES: usize = 1000;

/// Signs with the page's read-only key, if it has one.
struct Signer {
    credentials: Option<Credentials>,
}

impl Signer {
    /// The URL to request: presigned with the read-only key, or as is.
    fn url(&self, url: &str) -> Result<String, String> {
        let Some(credentials) = &self.credentials else {
            return Ok(url.to_string());
        };
        // SystemTime::now() panics on wasm32: take the time from JavaScript.
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let signed_at = now - now.rem_euclid(SIGNING_WINDOW_SECS);
        presign_get(url, credentials, signed_at, URL_LIFETIME_SECS).map_err(|e| e.to_string())
    }
}

fn signer_for(storage: &PageStorage) -> Signer {
    let PageStorage::S3 {
        region,
        access_key_id,
        secret_access_key,
        ..
    } = storage
    else {
        unreachable!("called for S3 storage only")
    };
    Signer {
        credentials: match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => Some(Credentials {
                access_key_id: id.clone(),
                secret_access_key: secret.clone(),
                region: region.clone(),
            }),
            _ => None,
        },
    }
}

/// Lists the nodes' history views (and their summaries, where written)
/// under `<prefix>views/`.
pub async fn list_views(storage: &PageStorage) -> Result<Vec<Listed>, LoadError> {
    let location: S3Location = storage.s3_location().expect("S3 storage");
    let signer = signer_for(storage);
    let listing_name = format!(
        "the history views listing (s3://{}/{}views/)",
        location.bucket, location.prefix
    );
    let fail = |why: String| LoadError {
        what: listing_name.clone(),
        why,
    };
    let url = signer
        .url(&location.list_url_under("views/", "", None))
        .map_err(fail)?;
    let xml = fetch_text(&url, &listing_name, &location.bucket_url(), None)
        .await
        .map_err(|e| fail(e.why))?;
    // One page (1,000 keys) is 500 nodes: more is not a status page.
    let page = parse_list(&xml).map_err(fail)?;
    let mut listed = Vec::new();
    for key in &page.keys {
        let Some(name) = key.strip_prefix(&location.prefix) else {
            continue;
        };
        let Some(node) = node_of_view_key(name) else {
            continue;
        };
        let sign = |key: String| signer.url(&location.object_url(&key)).map_err(fail);
        let summary = format!("{}{}", location.prefix, summary_key(node));
        listed.push(Listed {
            name: name.to_string(),
            timestamp: 0,
            url: sign(key.clone())?,
            latest_url: sign(format!("{}{}", location.prefix, latest_key(node)))?,
            summary_url: match page.keys.contains(&summary) {
                true => sign(summary)?,
                false => String::new(),
            },
        });
    }
    Ok(listed)
}

/// Lists this prefix's round files at or after `since`, skipping past the
/// newest one already `known`.
pub async fn list(
    storage: &PageStorage,
    known: &super::Loaded,
    since: i64,
) -> Result<Vec<Listed>, LoadError> {
    let location: S3Location = storage.s3_location().expect("S3 storage");
    let signer = signer_for(storage);
    let listing_name = format!(
        "the bucket listing (s3://{}/{})",
        location.bucket, location.prefix
    );
    let fail = |why: String| LoadError {
        what: listing_name.clone(),
        why,
    };

    // Keys start with a 19-digit timestamp, so "prefix + timestamp" is where
    // the window starts in the listing's order.
    let window_start = format!("{}{since:019}", location.prefix);
    let newest_known = known
        .newest_name()
        .map(|n| format!("{}{n}", location.prefix));
    let start_after = newest_known
        .filter(|k| *k > window_start)
        .unwrap_or(window_start);

    let page_url = |token: Option<&str>| location.list_url(&start_after, token);
    let mut listed = Vec::new();
    for key in all_keys(&signer, &location, &listing_name, page_url).await? {
        let Some(name) = key.strip_prefix(&location.prefix) else {
            continue;
        };
        let Ok(parsed) = ResultFileName::parse(name) else {
            continue;
        };
        if parsed.timestamp < since {
            continue;
        }
        let url = signer.url(&location.object_url(&key)).map_err(fail)?;
        listed.push(Listed {
            name: name.to_string(),
            timestamp: parsed.timestamp,
            url,
            latest_url: String::new(),
            summary_url: String::new(),
        });
    }
    Ok(listed)
}

/// Every key of a listing, following continuation tokens for at most
/// [`MAX_LIST_PAGES`] pages; `page_url` is the URL of the page after a
/// token (none: the first).
async fn all_keys(
    signer: &Signer,
    location: &S3Location,
    listing_name: &str,
    page_url: impl Fn(Option<&str>) -> String,
) -> Result<Vec<String>, LoadError> {
    let fail = |why: String| LoadError {
        what: listing_name.to_string(),
        why,
    };
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_LIST_PAGES {
        let url = signer.url(&page_url(token.as_deref())).map_err(fail)?;
        let xml = fetch_text(&url, listing_name, &location.bucket_url(), None)
            .await
            .map_err(|e| fail(e.why))?;
        let page = parse_list(&xml).map_err(fail)?;
        keys.extend(page.keys);
        match page.next_continuation_token {
            Some(next) => token = Some(next),
            None => return Ok(keys),
        }
    }
    Err(fail(format!(
        "the listing did not end after {MAX_LIST_PAGES} pages"
    )))
}

/// Every node's monthly reports, under `<prefix>reports/`.
pub async fn list_reports(storage: &PageStorage) -> Result<Vec<ListedReport>, LoadError> {
    let location: S3Location = storage.s3_location().expect("S3 storage");
    let signer = signer_for(storage);
    let listing_name = format!(
        "the reports listing (s3://{}/{}reports/)",
        location.bucket, location.prefix
    );
    let fail = |why: String| LoadError {
        what: listing_name.clone(),
        why,
    };
    let page_url = |token: Option<&str>| location.list_url_under("reports/", "", token);
    let mut listed = Vec::new();
    for key in all_keys(&signer, &location, &listing_name, page_url).await? {
        let Some(name) = key.strip_prefix(&location.prefix) else {
            continue;
        };
        let Some((node, month)) = parse_report_key(name) else {
            continue;
        };
        listed.push(ListedReport {
            node: node.to_string(),
            month,
            key: name.to_string(),
            url: signer.url(&location.object_url(&key)).map_err(fail)?,
        });
    }
    Ok(listed)
}
