//! Incident text as a small document tree: the checker parses the operator's
//! Markdown (with pulldown-cmark) into these nodes when the update is
//! written, and the page builds elements from them. The page never parses
//! Markdown or HTML, so raw HTML in the source can only ever be text, and it
//! checks every link target again (storage is not trusted).

use serde::{Deserialize, Serialize};

/// One node of an incident text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Node {
    /// Text, including any raw HTML of the source, shown as is.
    Text(String),
    /// Inline code.
    Code(String),
    Br,
    Hr,
    P(Vec<Node>),
    /// A heading of any level (shown as a bold paragraph).
    Heading(Vec<Node>),
    Quote(Vec<Node>),
    /// A code block.
    Pre(String),
    Ul(Vec<Node>),
    /// An ordered list and its first number.
    Ol(u64, Vec<Node>),
    Li(Vec<Node>),
    Em(Vec<Node>),
    Strong(Vec<Node>),
    Del(Vec<Node>),
    /// A link to an http(s), mailto or relative target (others become text).
    Link(String, Vec<Node>),
}

/// The plain text of `nodes`, for places without formatting.
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(t) | Node::Code(t) | Node::Pre(t) => out.push_str(t),
            Node::Br | Node::Hr => out.push('\n'),
            Node::Ol(_, c)
            | Node::P(c)
            | Node::Heading(c)
            | Node::Quote(c)
            | Node::Ul(c)
            | Node::Li(c)
            | Node::Em(c)
            | Node::Strong(c)
            | Node::Del(c)
            | Node::Link(_, c) => out.push_str(&plain_text(c)),
        }
    }
    out
}
