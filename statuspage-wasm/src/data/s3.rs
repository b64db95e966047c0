//! S3 straight from the browser: ListObjectsV2 from the window's start (or the
//! newest file already loaded), following continuation tokens, and GETs of
//! each file. With a read-only key every URL is presigned (SigV4 in the query
//! string), so requests stay "simple" and need no CORS preflight; without one
//! (a public bucket) they go unsigned.

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use checkup_model::history::node_of_view_key;
use checkup_model::s3::{S3Location, parse_list};
use checkup_model::{PageStorage, ResultFileName};

use super::{Listed, LoadError, fetch_text};

/// Presigned URLs live this long: a refresh uses them at once.
const URL_LIFETIME: Duration = Duration::from_secs(900);
/// A listing longer than this many pages is a misconfiguration, not history.
const MAX_LIST_PAGES: usize = 1000;

struct Signer {
    credentials: Option<Credentials>,
    region: String,
}

impl Signer {
    /// The URL to request: presigned with the read-only key, or as is.
    fn url(&self, url: &str) -> Result<String, String> {
        let Some(credentials) = &self.credentials else {
            return Ok(url.to_string());
        };
        let identity = credentials.clone().into();
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(URL_LIFETIME);
        // S3 signs the path as sent: no double encoding, no normalising.
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        // SystemTime::now() panics on wasm32: take the time from JavaScript.
        let now = UNIX_EPOCH + Duration::from_millis(js_sys::Date::now() as u64);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(now)
            .settings(settings)
            .build()
            .map_err(|e| format!("cannot sign: {e}"))?
            .into();
        let request = SignableRequest::new(
            "GET",
            url,
            std::iter::empty(),
            SignableBody::UnsignedPayload,
        )
        .map_err(|e| format!("cannot sign {url}: {e}"))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| format!("cannot sign {url}: {e}"))?
            .into_parts();
        let (_headers, query) = instructions.into_parts();
        let mut signed = url.to_string();
        for (name, value) in query {
            signed.push(if signed.contains('?') { '&' } else { '?' });
            signed.push_str(name);
            signed.push('=');
            signed.push_str(&checkup_model::s3::uri_encode(&value, false));
        }
        Ok(signed)
    }
}

/// Signs with the page's read-only key, if it has one.
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
            (Some(id), Some(secret)) => {
                Some(Credentials::new(id, secret, None, None, "config.json"))
            }
            _ => None,
        },
        region: region.clone(),
    }
}

/// Lists the nodes' history views under `<prefix>views/`.
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
    // One page (1,000 keys) is 1,000 nodes: more is not a status page.
    let page = parse_list(&xml).map_err(fail)?;
    let mut listed = Vec::new();
    for key in page.keys {
        let Some(name) = key.strip_prefix(&location.prefix) else {
            continue;
        };
        if node_of_view_key(name).is_none() {
            continue;
        }
        listed.push(Listed {
            name: name.to_string(),
            timestamp: 0,
            url: signer.url(&location.object_url(&key)).map_err(fail)?,
        });
    }
    Ok(listed)
}

/// Lists this prefix's round files at or after `since`, skipping past the
/// newest one already `known`.
pub async fn list(
    storage: &PageStorage,
    known: &BTreeSet<String>,
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
        .iter()
        .next_back()
        .map(|n| format!("{}{n}", location.prefix));
    let start_after = newest_known
        .filter(|k| *k > window_start)
        .unwrap_or(window_start);

    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_LIST_PAGES {
        let url = signer
            .url(&location.list_url(&start_after, token.as_deref()))
            .map_err(fail)?;
        let xml = fetch_text(&url, &listing_name, &location.bucket_url(), None)
            .await
            .map_err(|e| fail(e.why))?;
        let page = parse_list(&xml).map_err(fail)?;
        for key in page.keys {
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
            });
        }
        match page.next_continuation_token {
            Some(next) => token = Some(next),
            None => return Ok(listed),
        }
    }
    Err(fail(format!(
        "the listing did not end after {MAX_LIST_PAGES} pages"
    )))
}
