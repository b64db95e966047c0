//! Files for subscribers, computed from *all* nodes' data: the Atom feeds
//! (`feeds/status.atom`, `feeds/<check>.atom`), the maintenance calendar
//! (`maintenance.ics`) and Statuspage's API v2 (`api/v2/*.json`). Each is a
//! pure function of the stored views and incident files at a moment, merged
//! by the page's own rule, so any node may write it: two nodes with the same
//! inputs write the same bytes, and a PUT (or a local rename) is atomic, so
//! a write that races another leaves one whole file. Written only when its
//! content changes.

pub mod atom;
pub mod ical;
pub mod incident_files;
pub mod statuspage;
pub mod text;

use std::collections::HashMap;

use checkup_model::contract::announced::{Announced, merge_announced};
use checkup_model::contract::slug::unique_slugs;
use checkup_model::derive::merge::stale_after_secs;
use checkup_model::derive::overview::{CheckOverview, overview};
use checkup_model::{Incident, NodeView, contract::incident::fold_incidents};

use crate::storage::{Storage, StorageError};
use incident_files::IncidentFiles;

/// The status page these files describe: `[status_page]` in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub title: String,
    /// The page's public URL, ending in `/`; without it, feeds and the API
    /// carry no links to the page.
    pub url: Option<String>,
}

impl Default for Site {
    fn default() -> Site {
        Site {
            title: "Status".into(),
            url: None,
        }
    }
}

impl Site {
    /// The host of the page's URL, else a fixed name: the authority of
    /// `tag:` ids and calendar UIDs.
    pub fn authority(&self) -> String {
        self.url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "checkup-rs.invalid".into())
    }

    /// A stable `tag:` URI (RFC 4151) for `what`.
    pub fn tag(&self, what: &str) -> String {
        format!("tag:{},2026:{what}", self.authority())
    }

    /// A link to a place on the page, when its URL is known.
    pub fn page_link(&self, fragment: &str) -> Option<String> {
        self.url.as_ref().map(|u| format!("{u}#{fragment}"))
    }

    pub fn page_id(&self) -> String {
        statuspage::short_id(&format!("page:{}", self.authority()))
    }
}

/// What every published file is computed from.
pub struct Inputs<'a> {
    pub site: &'a Site,
    /// Unix ns.
    pub now: i64,
    /// Merged over all nodes, by the page's rule.
    pub checks: Vec<CheckOverview>,
    pub incidents: Vec<Incident>,
    /// Every node's announced occurrences, each once.
    pub maintenance: Vec<Announced>,
}

impl Inputs<'_> {
    pub fn new<'a>(
        site: &'a Site,
        views: &[NodeView],
        updates: &[checkup_model::IncidentUpdate],
        now: i64,
    ) -> Inputs<'a> {
        let now_secs = now.div_euclid(1_000_000_000);
        Inputs {
            site,
            now,
            checks: overview(views, now_secs, stale_after_secs(views)),
            incidents: fold_incidents(updates),
            maintenance: merge_announced(views.iter().flat_map(|v| &v.maintenance)),
        }
    }

    /// The newest change in the inputs, Unix ns: a state change, an incident
    /// update, or maintenance announced, begun or ended (up to now).
    pub fn updated_at(&self) -> i64 {
        let checks = self.checks.iter().map(|c| c.since());
        let incidents = self.incidents.iter().map(|i| i.updates[0].timestamp);
        let maintenance = self.maintenance.iter().flat_map(|m| {
            [m.announced, m.start, m.end]
                .into_iter()
                .filter(|t| *t <= self.now)
        });
        checks
            .chain(incidents)
            .chain(maintenance)
            .max()
            .unwrap_or(0)
    }

    /// Every file: (key, bytes, content type).
    pub fn files(&self) -> Vec<(String, Vec<u8>, &'static str)> {
        const ATOM: &str = "application/atom+xml";
        let mut files = vec![
            (
                "feeds/status.atom".to_string(),
                atom::feed(self, None, "feeds/status.atom"),
                ATOM,
            ),
            (
                "maintenance.ics".to_string(),
                ical::calendar(self),
                "text/calendar; charset=utf-8",
            ),
        ];
        let slugs = unique_slugs(self.checks.iter().map(|c| c.title.as_str()));
        for (check, slug) in self.checks.iter().zip(slugs) {
            let key = format!("feeds/{slug}.atom");
            let feed = atom::feed(self, Some(&check.title), &key);
            files.push((key, feed, ATOM));
        }
        for (key, json) in statuspage::files(self) {
            let mut bytes = serde_json::to_vec_pretty(&json).unwrap_or_default();
            bytes.push(b'\n');
            files.push((key, bytes, "application/json"));
        }
        files
    }
}

/// Keeps the published files up to date, writing only what changed.
#[derive(Default)]
pub struct Published {
    pub site: Site,
    incidents: IncidentFiles,
    /// What is known to be stored under each key (read once, then as written).
    stored: HashMap<String, Vec<u8>>,
}

impl Published {
    pub fn new(site: Site) -> Published {
        Published {
            site,
            ..Published::default()
        }
    }

    /// Recomputes every file from `views` (all nodes') and the stored
    /// incident files at `now` (Unix ns), and writes those that changed.
    /// Returns how many were written.
    pub async fn refresh(
        &mut self,
        storage: &dyn Storage,
        views: &[NodeView],
        now: i64,
    ) -> Result<usize, StorageError> {
        let updates = self.incidents.refresh(storage).await?;
        let inputs = Inputs::new(&self.site, views, &updates, now);
        let mut written = 0;
        for (key, bytes, content_type) in inputs.files() {
            if !self.stored.contains_key(&key) {
                // After a restart: what another node or an earlier run wrote.
                if let Some(old) = storage.get(&key).await? {
                    self.stored.insert(key.clone(), old);
                }
            }
            if self.stored.get(&key) == Some(&bytes) {
                continue;
            }
            storage.put(&key, bytes.clone(), content_type).await?;
            self.stored.insert(key, bytes);
            written += 1;
        }
        Ok(written)
    }
}
