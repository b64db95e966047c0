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
    /// How far back the page loads raw results when storage has no history
    /// views (an old checkup bucket).
    #[serde(default = "default_window")]
    pub window_hours: u32,
    /// An image shown before the title (URL, relative to the page or absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Links in the header: your site, support, a status RSS elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Checks shown together under a heading, in this order; checks in no
    /// group follow under "Other services".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Show each check's endpoint (URL, address) under its name.
    #[serde(default = "default_true")]
    pub show_endpoints: bool,
    /// Colour overrides (CSS colours) for the accent and the states, in the
    /// light theme.
    #[serde(default)]
    pub colors: Colors,
    /// The same for the dark theme (a brand colour dark enough for a white
    /// background is usually too dark on a black one).
    #[serde(default)]
    pub dark_colors: Colors,
    /// The page's language for visitors who have not picked one, instead of
    /// their browser's: one of [`LANGUAGES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The availability target, in percent (99.9): the monthly reports
    /// show each check's error budget against it. The status page does not
    /// read it: it has nothing to do with it, and reading a decimal number
    /// would cost it the code for floating-point numbers (about 9 KB). The
    /// Reports page reads it with [`sla_percent`].
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<f64>,
    #[cfg(target_arch = "wasm32")]
    #[serde(default, skip_serializing)]
    pub sla: serde::de::IgnoredAny,
}

/// The `sla` of `config.json`'s text, checked: a percentage above 0 and
/// below 100.
pub fn sla_percent(config: &str) -> Result<Option<f64>, String> {
    #[derive(Deserialize)]
    struct OnlySla {
        #[serde(default)]
        sla: Option<f64>,
    }
    let read: OnlySla = serde_json::from_str(config).map_err(|e| e.to_string())?;
    match read.sla {
        Some(sla) if !(sla > 0.0 && sla < 100.0) => Err(format!(
            "sla {sla} must be a percentage above 0 and below 100, such as 99.9"
        )),
        sla => Ok(sla),
    }
}

/// The languages the page speaks: (BCP 47 tag, name in that language).
/// Each has `i18n/<tag>.json` beside the page.
pub const LANGUAGES: [(&str, &str); 8] = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt-BR", "Português (Brasil)"),
    ("ja", "日本語"),
    ("zh-CN", "简体中文"),
    ("ar", "العربية"),
];

/// The supported language closest to a visitor's `tag`: the same tag
/// (any case), else the same primary language ("de-AT" is "de", "pt" is
/// "pt-BR").
pub fn supported_language(tag: &str) -> Option<&'static str> {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    LANGUAGES
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(tag))
        .or_else(|| LANGUAGES.iter().find(|(l, _)| primary(l) == primary(tag)))
        .map(|(l, _)| *l)
}

/// A header link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// A named group of checks, by title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub checks: Vec<String>,
    /// Start folded (a long list of minor services).
    #[serde(default)]
    pub collapsed: bool,
}

/// Optional colour overrides; each must be a plain CSS colour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operational: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down: Option<String>,
}

impl Colors {
    /// (CSS variable, value) pairs to set on the page.
    pub fn variables(&self) -> Vec<(&'static str, &str)> {
        [
            ("--accent", &self.accent),
            ("--ok", &self.operational),
            ("--warn", &self.degraded),
            ("--bad", &self.down),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// A colour as CSS may take it from config: `#abc`, `#aabbcc`, `#aabbccdd`,
/// or a name of letters. Nothing that could end the declaration.
fn is_plain_color(value: &str) -> bool {
    match value.strip_prefix('#') {
        Some(hex) => {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => {
            !value.is_empty() && value.len() <= 30 && value.bytes().all(|b| b.is_ascii_alphabetic())
        }
    }
}

/// A link target the page may use: http(s), mailto, or relative. Never
/// `javascript:` or `data:`, whatever the case or spacing.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    match lower.find(':') {
        // A colon before any '/', '?' or '#' starts a scheme.
        Some(colon) if !lower[..colon].contains(['/', '?', '#']) => {
            ["http", "https", "mailto"].contains(&&lower[..colon])
        }
        _ => !lower.chars().any(|c| c.is_control()),
    }
}

fn default_true() -> bool {
    true
}

/// How the page reaches the result files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    deny_unknown_fields,
    try_from = "StorageFields"
)]
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

/// `storage` as written, every kind's settings side by side. Read through
/// this flat struct rather than serde's internally tagged enum, which
/// buffers the object and adds much code to the page (BENCHMARKS.md); the
/// conversion names what does not belong to the chosen kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageFields {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    path_style: Option<bool>,
    prefix: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
}

impl TryFrom<StorageFields> for PageStorage {
    type Error = String;

    fn try_from(fields: StorageFields) -> Result<PageStorage, String> {
        let StorageFields {
            kind,
            url,
            bucket,
            region,
            endpoint,
            path_style,
            prefix,
            access_key_id,
            secret_access_key,
        } = fields;
        let s3_settings = [
            ("bucket", bucket.is_some()),
            ("region", region.is_some()),
            ("endpoint", endpoint.is_some()),
            ("path_style", path_style.is_some()),
            ("prefix", prefix.is_some()),
            ("access_key_id", access_key_id.is_some()),
            ("secret_access_key", secret_access_key.is_some()),
        ];
        match kind.as_str() {
            "local" => {
                if let Some((name, _)) = s3_settings.iter().find(|(_, given)| *given) {
                    return Err(format!(
                        "storage.{name} is a setting of \"s3\" storage, not of \"local\""
                    ));
                }
                let url = url.ok_or("storage of type \"local\" needs `url`")?;
                Ok(PageStorage::Local { url })
            }
            "s3" => {
                if url.is_some() {
                    return Err(
                        "storage.url is a setting of \"local\" storage; \"s3\" storage takes `bucket` and `endpoint`".into(),
                    );
                }
                Ok(PageStorage::S3 {
                    bucket: bucket.ok_or("storage of type \"s3\" needs `bucket`")?,
                    region: region.unwrap_or_else(default_region),
                    endpoint,
                    path_style,
                    prefix: prefix.unwrap_or_default(),
                    access_key_id,
                    secret_access_key,
                })
            }
            other => Err(format!(
                "storage.type {other:?} is neither \"local\" nor \"s3\""
            )),
        }
    }
}

impl PageStorage {
    /// The URL of `key` in storage as anyone may fetch it: unsigned, so a
    /// feed reader or calendar can keep it (a presigned URL expires).
    pub fn public_url(&self, key: &str) -> String {
        match self {
            PageStorage::Local { url } => match url.ends_with('/') || url.is_empty() {
                true => format!("{url}{key}"),
                false => format!("{url}/{key}"),
            },
            PageStorage::S3 { .. } => {
                let location = self.s3_location().expect("S3 storage");
                location.object_url(&format!("{}{key}", location.prefix))
            }
        }
    }

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
    /// A config with every option at its default.
    pub fn new(title: &str, storage: PageStorage) -> PageConfig {
        PageConfig {
            title: title.to_string(),
            storage,
            refresh_interval_secs: default_refresh(),
            window_hours: default_window(),
            logo_url: None,
            links: Vec::new(),
            groups: Vec::new(),
            show_endpoints: true,
            colors: Colors::default(),
            dark_colors: Colors::default(),
            language: None,
            sla: Default::default(),
        }
    }

    /// Parses and sanity-checks `config.json`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<PageConfig, String> {
        let cfg: PageConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if cfg.refresh_interval_secs == 0 {
            return Err("refresh_interval_secs must be at least 1".into());
        }
        if cfg.window_hours == 0 {
            return Err("window_hours must be at least 1".into());
        }
        for (key, colors) in [("colors", &cfg.colors), ("dark_colors", &cfg.dark_colors)] {
            for (name, value) in colors.variables() {
                if !is_plain_color(value) {
                    return Err(format!(
                        "{key}: {value:?} (for {}) is not a colour like \"#1a7f37\" or \"teal\"",
                        name.trim_start_matches("--")
                    ));
                }
            }
        }
        for link in &cfg.links {
            if !is_safe_url(&link.url) {
                return Err(format!(
                    "links: {:?} must be an http(s), mailto or relative URL",
                    link.url
                ));
            }
        }
        if let Some(language) = &cfg.language
            && !LANGUAGES.iter().any(|(l, _)| l == language)
        {
            let known: Vec<&str> = LANGUAGES.iter().map(|(l, _)| *l).collect();
            return Err(format!(
                "language {language:?} is not one the page speaks: use one of {}",
                known.join(", ")
            ));
        }
        #[cfg(not(target_arch = "wasm32"))]
        sla_percent(text)?;
        if let Some(logo) = &cfg.logo_url
            && !is_safe_url(logo)
        {
            return Err(format!(
                "logo_url {logo:?} must be an http(s) or relative URL"
            ));
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
    fn languages_are_checked_and_matched() {
        let c = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"language":"pt-BR"}"#)
            .unwrap();
        assert_eq!(c.language.as_deref(), Some("pt-BR"));
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"language":"de-DE"}"#)
            .unwrap_err();
        assert!(e.contains("\"de-DE\"") && e.contains("en, de, fr"), "{e}");
        for (tag, found) in [
            ("de-AT", Some("de")),
            ("PT", Some("pt-BR")),
            ("zh-Hans-CN", Some("zh-CN")),
            ("en-US", Some("en")),
            ("ar-EG", Some("ar")),
            ("sv", None),
            ("", None),
        ] {
            assert_eq!(supported_language(tag), found, "{tag}");
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn an_sla_is_a_percentage() {
        let config = |sla: &str| {
            PageConfig::parse(&format!(
                r#"{{"storage":{{"type":"local","url":"r/"}},"sla":{sla}}}"#
            ))
        };
        assert_eq!(config("99.95").unwrap().sla, Some(99.95));
        assert_eq!(config("null").unwrap().sla, None);
        for bad in ["100", "0", "-1", "120", "1e3"] {
            let e = config(bad).unwrap_err();
            assert!(
                e.starts_with("sla ") && e.contains("such as 99.9"),
                "{bad}: {e}"
            );
        }
        assert!(config("\"99.9\"").unwrap_err().contains("invalid type"));
        assert_eq!(sla_percent(r#"{"title":"x","sla":99.5}"#), Ok(Some(99.5)));
        assert_eq!(sla_percent(r#"{"title":"x"}"#), Ok(None));
    }

    #[test]
    fn public_urls_of_stored_files() {
        let local = PageStorage::Local {
            url: "results".into(),
        };
        assert_eq!(
            local.public_url("feeds/status.atom"),
            "results/feeds/status.atom"
        );
        let c = PageConfig::parse(r#"{"storage":{"type":"s3","bucket":"status","endpoint":"http://127.0.0.1:3900/","prefix":"/ck","access_key_id":"GK","secret_access_key":"s"}}"#).unwrap();
        assert_eq!(
            c.storage.public_url("api/v2/summary.json"),
            "http://127.0.0.1:3900/status/ck/api/v2/summary.json"
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
    fn what_the_checker_writes_the_page_reads_back() {
        let full = PageStorage::S3 {
            bucket: "status".into(),
            region: "eu-west-1".into(),
            endpoint: Some("http://127.0.0.1:3900".into()),
            path_style: Some(false),
            prefix: "ck/".into(),
            access_key_id: Some("GK1".into()),
            secret_access_key: Some("secret".into()),
        };
        let local = PageStorage::Local {
            url: "results/".into(),
        };
        for storage in [full, local] {
            let config = PageConfig::new("Ours", storage);
            let written = serde_json::to_string(&config).unwrap();
            assert_eq!(PageConfig::parse(&written).unwrap(), config, "{written}");
        }
    }

    #[test]
    fn branding_is_checked() {
        let c = PageConfig::parse(
            r##"{"storage":{"type":"local","url":"r/"},"logo_url":"logo.svg",
            "links":[{"label":"Home","url":"https://example.com"}],
            "groups":[{"name":"Core","checks":["api"],"collapsed":true}],
            "colors":{"accent":"#0b57d0","down":"crimson"}}"##,
        )
        .unwrap();
        assert_eq!(
            c.colors.variables(),
            [("--accent", "#0b57d0"), ("--bad", "crimson")]
        );
        assert!(c.groups[0].collapsed);
        assert!(c.show_endpoints);
        let e =
            PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"colors":{"ok":"red"}}"#)
                .unwrap_err();
        assert!(e.contains("ok"), "{e}");
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"colors":{"accent":"red;background:url(x)"}}"#).unwrap_err();
        assert!(e.contains("accent"), "{e}");
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"links":[{"label":"x","url":" JavaScript:alert(1)"}]}"#).unwrap_err();
        assert!(e.contains("links"), "{e}");
        for ok in [
            "https://a.b/c",
            "/about",
            "page.html#x",
            "mailto:ops@example.com",
            "?q=a:b",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "java\tscript:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"tilte":"x"}"#)
            .unwrap_err();
        assert!(e.contains("tilte"), "{e}");
        for (storage, says) in [
            (
                r#"{"type":"ftp"}"#,
                r#"storage.type "ftp" is neither "local" nor "s3""#,
            ),
            (r#"{"url":"r/"}"#, "missing field `type`"),
            (
                r#"{"type":"local"}"#,
                r#"storage of type "local" needs `url`"#,
            ),
            (
                r#"{"type":"local","url":"r/","bucket":"b"}"#,
                r#"storage.bucket is a setting of "s3" storage, not of "local""#,
            ),
            (r#"{"type":"s3"}"#, r#"storage of type "s3" needs `bucket`"#),
            (
                r#"{"type":"s3","bucket":"b","url":"r/"}"#,
                "storage.url is a setting of",
            ),
            (
                r#"{"type":"s3","bucket":"b","buckt":"c"}"#,
                "unknown field `buckt`",
            ),
            (r#"{"type":"s3","bucket":7}"#, "invalid type: integer `7`"),
        ] {
            let e = PageConfig::parse(&format!(r#"{{"storage":{storage}}}"#)).unwrap_err();
            assert!(e.contains(says), "{storage} gave {e:?}");
        }
        let e = PageConfig::parse(r#"{"storage":{"type":"local","url":"r/"},"window_hours":0}"#)
            .unwrap_err();
        assert!(e.contains("window_hours"), "{e}");
    }
}
