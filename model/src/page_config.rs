//! The page's `config.json`: served beside `index.html`, read at run time, so
//! one build of the page serves any deployment.

use serde::{Deserialize, Serialize};

/// Everything the status page needs to know about a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageConfig {
    /// Shown in the header and the tab title.
    #[serde(default = "default_title")]
    pub title: String,
    /// Where the result files are.
    pub storage: PageStorage,
    /// How often the page looks for new result files.
    #[serde(default = "default_refresh")]
    pub refresh_interval_secs: u32,
    /// How far back the page loads results.
    #[serde(default = "default_window")]
    pub window_hours: u32,
}

/// How the page reaches the result files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum PageStorage {
    /// Files and `index.json` served over plain HTTP(S) under `url`
    /// (relative to the page, or absolute).
    Local { url: String },
}

fn default_title() -> String {
    "Status".to_string()
}
fn default_refresh() -> u32 {
    60
}
fn default_window() -> u32 {
    24
}

impl PageConfig {
    /// Parses and sanity-checks `config.json`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<PageConfig, String> {
        let cfg: PageConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if cfg.refresh_interval_secs == 0 {
            return Err("refresh_interval_secs must be at least 1".into());
        }
        if cfg.window_hours == 0 {
            return Err("window_hours must be at least 1".into());
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_defaults() {
        let c = PageConfig::parse(r#"{"storage":{"type":"local","url":"results/"}}"#).unwrap();
        assert_eq!(c.title, "Status");
        assert_eq!(c.refresh_interval_secs, 60);
        assert_eq!(
            c.storage,
            PageStorage::Local {
                url: "results/".into()
            }
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"tilte":"x"}"#)
            .unwrap_err();
        assert!(e.contains("tilte"), "{e}");
        let e = PageConfig::parse(r#"{"storage":{"type":"ftp"}}"#).unwrap_err();
        assert!(e.contains("ftp"), "{e}");
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"window_hours":0}"#)
            .unwrap_err();
        assert!(e.contains("window_hours"), "{e}");
    }
}
