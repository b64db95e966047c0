//! Incident and maintenance text: elements built from the document tree the checker parsed
//! from Markdown, never from an HTML string. Link targets are checked again
//! here (storage is not trusted); text without a tree shows its source as
//! plain text.

use checkup_model::contract::incident_text::Node;
use checkup_model::contract::page_config::is_safe_url;
use leptos::html;
use leptos::prelude::*;

/// `doc` as elements, or `source` as a paragraph of text when there is no tree.
#[component]
pub fn Markdown(doc: Vec<Node>, source: String) -> impl IntoView {
    let children = if doc.is_empty() {
        (!source.is_empty())
            .then(|| html::p().child(source).into_any())
            .into_iter()
            .collect()
    } else {
        all(doc)
    };
    view! { <div class="markdown">{children}</div> }
}

/// `nodes` as elements (check messages the checker read use it too).
pub fn all(nodes: Vec<Node>) -> Vec<AnyView> {
    nodes.into_iter().map(build).collect()
}

fn build(node: Node) -> AnyView {
    match node {
        Node::Text(t) => t.into_any(),
        Node::Code(c) => html::code().child(c).into_any(),
        Node::Br => html::br().into_any(),
        Node::Hr => html::hr().into_any(),
        Node::P(c) => html::p().child(all(c)).into_any(),
        Node::Heading(c) => html::p()
            .class("md-heading")
            .child(html::strong().child(all(c)))
            .into_any(),
        Node::Quote(c) => html::blockquote().child(all(c)).into_any(),
        Node::Pre(t) => html::pre().child(html::code().child(t)).into_any(),
        Node::Ul(c) => html::ul().child(all(c)).into_any(),
        Node::Ol(start, c) => html::ol()
            .attr("start", start.to_string())
            .child(all(c))
            .into_any(),
        Node::Li(c) => html::li().child(all(c)).into_any(),
        Node::Em(c) => html::em().child(all(c)).into_any(),
        Node::Strong(c) => html::strong().child(all(c)).into_any(),
        Node::Del(c) => html::del().child(all(c)).into_any(),
        Node::Link(href, c) if is_safe_url(&href) => html::a()
            .attr("href", href)
            .attr("rel", "nofollow noopener noreferrer")
            .child(all(c))
            .into_any(),
        // A target that is not safe keeps its text and loses the link.
        Node::Link(_, c) => html::span()
            .class("md-unsafe-link")
            .child(all(c))
            .into_any(),
    }
}
