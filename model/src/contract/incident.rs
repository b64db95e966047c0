//! Incidents, Statuspage-style: a title, the checks it affects, a state, and
//! timestamped updates written in Markdown. Each update is one immutable file
//! `incidents/<unix_nanos>-<node>-incident.json`, so nodes never share a key;
//! the page folds the updates of one incident id into its timeline.

use serde::{Deserialize, Serialize};

/// Where an incident stands, in Statuspage's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentState {
    pub const ALL: [IncidentState; 4] = [
        IncidentState::Investigating,
        IncidentState::Identified,
        IncidentState::Monitoring,
        IncidentState::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Investigating => "investigating",
            IncidentState::Identified => "identified",
            IncidentState::Monitoring => "monitoring",
            IncidentState::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IncidentState::Investigating => "Investigating",
            IncidentState::Identified => "Identified",
            IncidentState::Monitoring => "Monitoring",
            IncidentState::Resolved => "Resolved",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentState> {
        IncidentState::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One update of one incident, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentUpdate {
    /// Shared by all updates of one incident: `<opened unix_nanos>-<node>`.
    pub id: String,
    /// The incident's title as of this update.
    pub title: String,
    /// Titles of the checks it affects (may be empty: the whole service).
    #[serde(default)]
    pub checks: Vec<String>,
    pub state: IncidentState,
    /// The operator's Markdown, as written.
    #[serde(default)]
    pub body: String,
    /// `body` parsed by the checker (see [`crate::contract::incident_text`]): what the page
    /// shows. Without it (written by hand), the page shows `body` as text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc: Vec<crate::contract::incident_text::Node>,
    /// When the update was written, Unix ns.
    pub timestamp: i64,
    /// The node whose operator wrote it.
    pub node: String,
}

impl IncidentUpdate {
    /// The storage key of this update, under the storage prefix.
    pub fn key(&self) -> String {
        format!("incidents/{}-{}-incident.json", self.timestamp, self.node)
    }
}

/// An incident with its updates folded together, newest update first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub checks: Vec<String>,
    pub state: IncidentState,
    pub opened: i64,
    /// Newest first.
    pub updates: Vec<IncidentUpdate>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.state != IncidentState::Resolved
    }

    /// When it was resolved, if it is.
    pub fn resolved_at(&self) -> Option<i64> {
        (!self.is_open()).then(|| self.updates[0].timestamp)
    }
}

/// Folds updates (from any number of views, duplicates allowed) into
/// incidents: open ones first, then by newest activity.
pub fn fold_incidents<'a>(updates: impl IntoIterator<Item = &'a IncidentUpdate>) -> Vec<Incident> {
    // A list, not a map: a page has a handful of incidents, and each map
    // type costs the page kilobytes of code.
    let mut by_id: Vec<(&str, Vec<&IncidentUpdate>)> = Vec::new();
    for update in updates {
        let at = match by_id.iter().position(|(id, _)| *id == update.id) {
            Some(at) => at,
            None => {
                by_id.push((&update.id, Vec::new()));
                by_id.len() - 1
            }
        };
        let list = &mut by_id[at].1;
        if !list.contains(&update) {
            list.push(update);
        }
    }
    crate::sorting::sort_by(&mut by_id, |a, b| a.0.cmp(b.0));
    let mut incidents: Vec<Incident> = by_id
        .into_iter()
        .map(|(id, mut list)| {
            crate::sorting::sort_by(&mut list, |a, b| {
                (b.timestamp, &b.node).cmp(&(a.timestamp, &a.node))
            });
            let newest = list[0];
            Incident {
                id: id.to_string(),
                title: newest.title.clone(),
                checks: newest.checks.clone(),
                state: newest.state,
                opened: list.last().expect("non-empty").timestamp,
                updates: list.into_iter().cloned().collect(),
            }
        })
        .collect();
    crate::sorting::sort_by_key(&mut incidents, |i| {
        (!i.is_open(), std::cmp::Reverse(i.updates[0].timestamp))
    });
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(id: &str, ts: i64, state: IncidentState, title: &str) -> IncidentUpdate {
        IncidentUpdate {
            id: id.into(),
            title: title.into(),
            checks: vec!["api".into()],
            state,
            body: format!("update at {ts}"),
            doc: Vec::new(),
            timestamp: ts,
            node: "n1".into(),
        }
    }

    #[test]
    fn updates_fold_into_incidents_open_first() {
        let updates = [
            update("1-n1", 1, IncidentState::Investigating, "API slow"),
            update("1-n1", 5, IncidentState::Resolved, "API slow (fixed)"),
            update("2-n1", 3, IncidentState::Investigating, "Login errors"),
            update("2-n1", 4, IncidentState::Identified, "Login errors"),
            // The same update seen through two views counts once.
            update("2-n1", 4, IncidentState::Identified, "Login errors"),
        ];
        let incidents = fold_incidents(&updates);
        assert_eq!(incidents.len(), 2);
        assert_eq!(incidents[0].id, "2-n1");
        assert!(incidents[0].is_open());
        assert_eq!(incidents[0].state, IncidentState::Identified);
        assert_eq!(incidents[0].updates.len(), 2);
        assert_eq!(incidents[0].opened, 3);
        assert_eq!(incidents[1].title, "API slow (fixed)");
        assert_eq!(incidents[1].resolved_at(), Some(5));
    }

    #[test]
    fn states_parse_and_serialize_in_lower_case() {
        assert_eq!(
            IncidentState::parse(" Monitoring"),
            Some(IncidentState::Monitoring)
        );
        assert_eq!(IncidentState::parse("fixed"), None);
        let u = update("1-n1", 7, IncidentState::Resolved, "t");
        let json = serde_json::to_string(&u).unwrap();
        assert!(json.contains(r#""state":"resolved""#), "{json}");
        assert_eq!(u.key(), "incidents/7-n1-incident.json");
    }
}
