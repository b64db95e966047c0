//! Text for XML and iCalendar: escaping, times, and incident or maintenance
//! text (the model's document tree) rendered as XHTML or plain text. Storage
//! is not trusted: every string is escaped and every link checked again.

use checkup_model::contract::incident_text::Node;
use checkup_model::contract::page_config::is_safe_url;

/// `text` safe inside XML 1.0 character data or an attribute: markup
/// escaped, and characters XML cannot carry (control characters but tab
/// and newline, lone surrogates cannot occur in Rust) dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push('\n'),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Unix ns as RFC 3339 UTC with milliseconds, the form Statuspage uses.
pub fn iso(nanos: i64) -> String {
    match jiff::Timestamp::from_nanosecond(i128::from(nanos)) {
        Ok(ts) => format!(
            "{}.{:03}Z",
            ts.strftime("%Y-%m-%dT%H:%M:%S"),
            nanos.rem_euclid(1_000_000_000) / 1_000_000
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".to_string(),
    }
}

/// The document as XHTML elements (no wrapper), every text escaped.
pub fn xhtml(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        xhtml_node(node, &mut out);
    }
    out
}

fn xhtml_node(node: &Node, out: &mut String) {
    let wrap = |tag: &str, children: &[Node], out: &mut String| {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        out.push_str(&xhtml(children));
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    };
    match node {
        Node::Text(t) => out.push_str(&xml_escape(t)),
        Node::Code(t) => {
            out.push_str("<code>");
            out.push_str(&xml_escape(t));
            out.push_str("</code>");
        }
        Node::Pre(t) => {
            out.push_str("<pre>");
            out.push_str(&xml_escape(t));
            out.push_str("</pre>");
        }
        Node::Br => out.push_str("<br/>"),
        Node::Hr => out.push_str("<hr/>"),
        Node::P(c) => wrap("p", c, out),
        Node::Heading(c) => {
            out.push_str("<p><strong>");
            out.push_str(&xhtml(c));
            out.push_str("</strong></p>");
        }
        Node::Quote(c) => wrap("blockquote", c, out),
        Node::Ul(c) => wrap("ul", c, out),
        Node::Ol(start, c) => {
            out.push_str(&format!("<ol start=\"{start}\">"));
            out.push_str(&xhtml(c));
            out.push_str("</ol>");
        }
        Node::Li(c) => wrap("li", c, out),
        Node::Em(c) => wrap("em", c, out),
        Node::Strong(c) => wrap("strong", c, out),
        Node::Del(c) => wrap("del", c, out),
        Node::Link(href, c) if is_safe_url(href) => {
            out.push_str("<a href=\"");
            out.push_str(&xml_escape(href.trim()));
            out.push_str("\">");
            out.push_str(&xhtml(c));
            out.push_str("</a>");
        }
        Node::Link(_, c) => out.push_str(&xhtml(c)),
    }
}

/// An update's text as the page shows it: the parsed document, or for a
/// hand-written file without one, the source as plain text.
pub fn doc_or_text(doc: &[Node], source: &str) -> Vec<Node> {
    if doc.is_empty() && !source.trim().is_empty() {
        vec![Node::P(vec![Node::Text(source.to_string())])]
    } else {
        doc.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        let doc = vec![
            Node::P(vec![Node::Text(
                "<script>alert(1)</script> ]]> \u{0}\u{1b}ok".into(),
            )]),
            Node::Link("javascript:alert(1)".into(), vec![Node::Text("x".into())]),
            Node::Link("https://example.com/?a=1&b=\"2\"".into(), vec![]),
        ];
        let html = xhtml(&doc);
        assert_eq!(
            html,
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; ok</p>x\
             <a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\"></a>"
        );
    }

    #[test]
    fn times_are_utc_with_milliseconds() {
        assert_eq!(iso(1_796_248_293_524_195_891), "2026-12-02T21:51:33.524Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }
}
