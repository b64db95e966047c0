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
    /// An S3 bucket (or S3-compatible store) read directly from the browser.
    S3 {
        bucket: String,
        #[serde(default = "default_region")]
        region: String,
        /// An S3-compatible store's URL; AWS when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        /// Default: true with `endpoint`, false on AWS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path_style: Option<bool>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prefix: String,
        /// A READ-ONLY key (list and get on this bucket only): it is public
        /// to every visitor. Leave both out for a public bucket.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_key_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret_access_key: Option<String>,
    },
}

fn default_region() -> String {
    "us-east-1".to_string()
}

impl PageStorage {
    /// For S3: where the bucket is, with the prefix normalised to end in '/'.
    pub fn s3_location(&self) -> Option<crate::s3::S3Location> {
        match self {
            PageStorage::Local { .. } => None,
            PageStorage::S3 {
                bucket,
                region,
                endpoint,
                path_style,
                prefix,
                ..
            } => {
                let prefix = prefix.trim_start_matches('/');
                Some(crate::s3::S3Location {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    endpoint: endpoint.clone(),
                    path_style: path_style.unwrap_or(endpoint.is_some()),
                    prefix: if prefix.is_empty() || prefix.ends_with('/') {
                        prefix.to_string()
                    } else {
                        format!("{prefix}/")
                    },
                })
            }
        }
    }
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
        if let PageStorage::S3 {
            bucket,
            endpoint,
            access_key_id,
            secret_access_key,
            ..
        } = &cfg.storage
        {
            if bucket.is_empty() {
                return Err("storage.bucket must not be empty".into());
            }
            if let Some(e) = endpoint
                && !(e.starts_with("http://") || e.starts_with("https://"))
            {
                return Err(format!(
                    "storage.endpoint {e:?} must start with http:// or https://"
                ));
            }
            if access_key_id.is_some() != secret_access_key.is_some() {
                return Err("storage.access_key_id and storage.secret_access_key go together: give both, or neither for a public bucket".into());
            }
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
    fn s3_storage_with_defaults() {
        let c = PageConfig::parse(r#"{"storage":{"type":"s3","bucket":"status","endpoint":"http://127.0.0.1:3900","prefix":"ck"}}"#).unwrap();
        let loc = c.storage.s3_location().unwrap();
        assert_eq!(
            (loc.region.as_str(), loc.path_style, loc.prefix.as_str()),
            ("us-east-1", true, "ck/")
        );
        let e = PageConfig::parse(r#"{"storage":{"type":"s3","bucket":"b","access_key_id":"GK"}}"#)
            .unwrap_err();
        assert!(e.contains("go together"), "{e}");
        let e =
            PageConfig::parse(r#"{"storage":{"type":"s3","bucket":"b","endpoint":"garage:3900"}}"#)
                .unwrap_err();
        assert!(e.contains("storage.endpoint"), "{e}");
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
