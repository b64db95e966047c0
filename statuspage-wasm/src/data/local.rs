//! Local storage over plain HTTP: `index.json` lists the round files.

use checkup_model::Index;
use checkup_model::contract::index::files_since;
use checkup_model::contract::latest::latest_key;
use checkup_model::contract::node_view::node_of_view_key;
use checkup_model::contract::report::parse_report_key;
use checkup_model::contract::view_summary::summary_key;

use super::reports::ListedReport;
use super::{Listed, LoadError, fetch_text};

fn base_of(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// The nodes' history views (and their summaries, where written), from
/// `views/index.json` under `url`; none when
/// there is no such index (results written by checkup or an older checker).
pub async fn list_views(url: &str) -> Result<Vec<Listed>, LoadError> {
    let base = base_of(url);
    let index_url = format!("{base}views/index.json");
    let text = match fetch_text(&index_url, "the history views index", &index_url, None).await {
        Ok(text) => text,
        Err(e) if e.why.starts_with("HTTP 404") => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let names: Vec<String> = serde_json::from_str(&text).map_err(|e| LoadError {
        what: format!("the history views index ({index_url})"),
        why: format!("it is not a JSON list of file names ({e})"),
    })?;
    let keys: Vec<String> = names.iter().map(|n| format!("views/{n}")).collect();
    Ok(keys
        .iter()
        // Data from storage must not point the page anywhere else.
        .filter_map(|key| Some((key, node_of_view_key(key)?)))
        .map(|(key, node)| Listed {
            url: format!("{base}{key}"),
            latest_url: format!("{base}{}", latest_key(node)),
            summary_url: Some(summary_key(node))
                .filter(|summary| keys.contains(summary))
                .map(|summary| format!("{base}{summary}"))
                .unwrap_or_default(),
            name: key.clone(),
            timestamp: 0,
        })
        .collect())
}

/// The round files at or after `since`, from the index under `url`.
pub async fn list(url: &str, since: i64) -> Result<Vec<Listed>, LoadError> {
    let base = base_of(url);
    let index_url = format!("{base}index.json");
    let text = fetch_text(&index_url, "the results index", &index_url, None).await?;
    let index: Index = serde_json::from_str(&text).map_err(|e| LoadError {
        what: format!("the results index ({index_url})"),
        why: format!("it is not a JSON map of file names to timestamps ({e})"),
    })?;
    Ok(files_since(&index, since)
        .into_iter()
        .map(|(name, timestamp)| Listed {
            name: name.to_string(),
            timestamp,
            url: format!("{base}{name}"),
            latest_url: String::new(),
            summary_url: String::new(),
        })
        .collect())
}

/// Every node's monthly reports, from `reports/index.json` under `url`;
/// none when there is no such index (no month has ended yet).
pub async fn list_reports(url: &str) -> Result<Vec<ListedReport>, LoadError> {
    let base = base_of(url);
    let index_url = format!("{base}reports/index.json");
    let text = match fetch_text(&index_url, "the reports index", &index_url, None).await {
        Ok(text) => text,
        Err(e) if e.why.starts_with("HTTP 404") => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let names: Vec<String> = serde_json::from_str(&text).map_err(|e| LoadError {
        what: format!("the reports index ({index_url})"),
        why: format!("it is not a JSON list of file names ({e})"),
    })?;
    Ok(names
        .iter()
        .map(|name| format!("reports/{name}"))
        // Data from storage must not point the page anywhere else.
        .filter_map(|key| {
            let (node, month) = parse_report_key(&key)?;
            Some(ListedReport {
                node: node.to_string(),
                month,
                url: format!("{base}{key}"),
                key,
            })
        })
        .collect())
}
