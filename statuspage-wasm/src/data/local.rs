//! Local storage over plain HTTP: `index.json` lists the round files.

use checkup_model::Index;
use checkup_model::index::files_since;

use super::{Listed, LoadError, fetch_text};

/// The round files at or after `since`, from the index under `url`.
pub async fn list(url: &str, since: i64) -> Result<Vec<Listed>, LoadError> {
    let base = if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    };
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
        })
        .collect())
}
