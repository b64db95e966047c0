//! `latest/<node>.json`: what one node saw of each check in its newest
//! round, rewritten after every round. Small (one line per check), so every
//! node reads every other node's each round to decide alerts together; the
//! `instance` id tells a second checker writing under the same node name.
//! It also carries the tail of the node's history view, from which the
//! page brings the view it holds up to date on each refresh.

use serde::{Deserialize, Serialize};

use crate::contract::file_name::validate_node;
use crate::contract::node_view::NodeView;
use crate::contract::status::Status;

/// The directory of latest-state objects.
pub const LATEST_DIR: &str = "latest";

/// One node's newest round, as the others read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeLatest {
    pub node: String,
    /// Random per checker process: two processes under one node name show
    /// as two instances.
    pub instance: String,
    /// When the round started, Unix ns (the writer's clock).
    pub updated: i64,
    /// The writer's round interval, so readers know when it is stale.
    pub interval_secs: i64,
    pub checks: Vec<LatestCheck>,
    /// The tail of this node's history view after the round (see
    /// [`crate::contract::view_tail`]); absent from older checkers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<NodeView>,
}

/// What the page reads of a latest object: only the view's tail.
#[derive(Debug, Deserialize)]
pub struct LatestTail {
    #[serde(default)]
    pub tail: Option<NodeView>,
}

impl LatestTail {
    pub fn parse(text: &str) -> Result<LatestTail, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// One check in that round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestCheck {
    pub title: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub maintenance: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notice: String,
}

/// `latest/<node>.json`.
pub fn latest_key(node: &str) -> String {
    format!("{LATEST_DIR}/{node}.json")
}

/// The node of a name listed under `latest/`, if it is one.
pub fn node_of_latest_name(name: &str) -> Option<&str> {
    let node = name.strip_suffix(".json")?;
    validate_node(node).ok()?;
    Some(node)
}

impl NodeLatest {
    pub fn parse(text: &str) -> Result<NodeLatest, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_node() {
        assert_eq!(latest_key("fra1"), "latest/fra1.json");
        assert_eq!(node_of_latest_name("fra1.json"), Some("fra1"));
        assert_eq!(node_of_latest_name(".fra1.json.1.tmp"), None);
        assert_eq!(node_of_latest_name("fra1.txt"), None);
    }

    #[test]
    fn round_trips_and_omits_defaults() {
        let latest = NodeLatest {
            node: "fra1".into(),
            instance: "abc".into(),
            updated: 5,
            interval_secs: 60,
            checks: vec![LatestCheck {
                title: "Website".into(),
                status: Status::Down,
                maintenance: false,
                notice: String::new(),
            }],
            tail: Some(NodeView::new("fra1")),
        };
        let text = serde_json::to_string(&latest).unwrap();
        assert!(
            !text.contains("maintenance") && !text.contains("notice"),
            "{text}"
        );
        assert_eq!(NodeLatest::parse(&text).unwrap(), latest);
        let read = LatestTail::parse(&text).unwrap();
        assert_eq!(read.tail, latest.tail);
        assert!(LatestTail::parse(r#"{"node":"a"}"#).unwrap().tail.is_none());
    }
}
