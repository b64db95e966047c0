//! Parses an incident's Markdown into the model's document tree, with
//! pulldown-cmark: raw HTML becomes text, links keep their target only when
//! it is http(s), mailto or relative, and images become their description.

use checkup_model::contract::incident_text::Node;
use checkup_model::contract::page_config::is_safe_url;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// How a node under construction wraps its children.
enum Frame {
    Root,
    P,
    Heading,
    Quote,
    Pre,
    List(Option<u64>),
    Item,
    Em,
    Strong,
    Del,
    Link(Option<String>),
    Image,
    /// Tables, footnotes and the like: children kept, no wrapper.
    Plain,
}

pub fn parse(source: &str) -> Vec<Node> {
    let mut stack: Vec<(Frame, Vec<Node>)> = vec![(Frame::Root, Vec::new())];
    for event in Parser::new(source) {
        match event {
            Event::Start(tag) => {
                let frame = match tag {
                    Tag::Paragraph => Frame::P,
                    Tag::Heading { .. } => Frame::Heading,
                    Tag::BlockQuote(_) => Frame::Quote,
                    Tag::CodeBlock(_) => Frame::Pre,
                    Tag::List(start) => Frame::List(start),
                    Tag::Item => Frame::Item,
                    Tag::Emphasis => Frame::Em,
                    Tag::Strong => Frame::Strong,
                    Tag::Strikethrough => Frame::Del,
                    Tag::Link { dest_url, .. } => {
                        Frame::Link(is_safe_url(&dest_url).then(|| dest_url.to_string()))
                    }
                    Tag::Image { .. } => Frame::Image,
                    _ => Frame::Plain,
                };
                stack.push((frame, Vec::new()));
            }
            Event::End(TagEnd::HtmlBlock) => {}
            Event::End(_) => close(&mut stack),
            // Raw HTML is text: `<script>` stays the characters "<script>".
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                push(&mut stack, Node::Text(t.to_string()))
            }
            Event::Code(c) => push(&mut stack, Node::Code(c.to_string())),
            Event::SoftBreak => push(&mut stack, Node::Text(" ".into())),
            Event::HardBreak => push(&mut stack, Node::Br),
            Event::Rule => push(&mut stack, Node::Hr),
            _ => {}
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

fn push(stack: &mut [(Frame, Vec<Node>)], node: Node) {
    if let Some((_, children)) = stack.last_mut() {
        // Adjacent text merges, which keeps stored updates small.
        if let (Node::Text(new), Some(Node::Text(last))) = (&node, children.last_mut()) {
            last.push_str(new);
            return;
        }
        children.push(node);
    }
}

fn close(stack: &mut Vec<(Frame, Vec<Node>)>) {
    if stack.len() < 2 {
        return;
    }
    let (frame, children) = stack.pop().expect("len >= 2");
    let node = match frame {
        Frame::P => Node::P(children),
        Frame::Heading => Node::Heading(children),
        Frame::Quote => Node::Quote(children),
        Frame::Pre => Node::Pre(checkup_model::contract::incident_text::plain_text(
            &children,
        )),
        Frame::List(None) => Node::Ul(children),
        Frame::List(Some(start)) => Node::Ol(start, children),
        Frame::Item => Node::Li(children),
        Frame::Em => Node::Em(children),
        Frame::Strong => Node::Strong(children),
        Frame::Del => Node::Del(children),
        Frame::Link(Some(href)) => Node::Link(href, children),
        Frame::Image => Node::Text(format!(
            "[image: {}]",
            checkup_model::contract::incident_text::plain_text(&children)
        )),
        Frame::Link(None) | Frame::Plain | Frame::Root => {
            for child in children {
                push(stack, child);
            }
            return;
        }
    };
    push(stack, node);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.into())
    }

    #[test]
    fn formatting_lists_and_safe_links_survive() {
        let doc = parse("We see **errors**.\n\n- one\n- two\n\n[runbook](https://r.example/x)");
        assert_eq!(
            doc,
            [
                Node::P(vec![
                    text("We see "),
                    Node::Strong(vec![text("errors")]),
                    text(".")
                ]),
                Node::Ul(vec![
                    Node::Li(vec![text("one")]),
                    Node::Li(vec![text("two")])
                ]),
                Node::P(vec![Node::Link(
                    "https://r.example/x".into(),
                    vec![text("runbook")]
                )]),
            ]
        );
    }

    #[test]
    fn html_is_text_and_unsafe_targets_are_dropped() {
        let doc = parse(
            "<script>alert(1)</script>\n\nhi <img src=x onerror=\"alert(2)\"> [trap](javascript:alert(3)) ![logo](https://x/y.png)",
        );
        let all = plain_text(&doc);
        assert!(all.contains("<script>alert(1)</script>"), "{all}");
        assert!(all.contains("<img src=x onerror=\"alert(2)\">"), "{all}");
        assert!(
            all.contains("trap") && all.contains("[image: logo]"),
            "{all}"
        );
        let json = serde_json::to_string(&doc).unwrap();
        assert!(!json.contains("javascript:"), "{json}");
        assert!(!json.contains("\"link\""), "no link node at all: {json}");
    }

    use checkup_model::contract::incident_text::plain_text;
}
