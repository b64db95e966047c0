//! Check messages as text and safe links: checkup documented HTML in a
//! check's `message`, so a message may hold tags. The checker reads them
//! here when it writes a view (the check's `message_doc`), as it parses
//! incident Markdown (`incidents/markdown.rs`): their text (common entities
//! decoded, script and style bodies dropped, breaks kept) and `<a href>`
//! links as document links, never markup. The page only builds elements
//! from the tree, checking link targets again.

use checkup_model::NodeView;
use checkup_model::contract::incident_text::Node;

/// Reads each check's latest message into its `message_doc` when it holds
/// markup or entities (plain text needs no tree).
pub fn read_messages(view: &mut NodeView) {
    for check in &mut view.checks {
        let message = &check.latest.message;
        check.message_doc = if message.contains(['<', '&']) {
            message_nodes(message)
        } else {
            Vec::new()
        };
    }
}

/// `message` as text nodes, line breaks and links (targets are checked
/// when the page builds them, as for incident text).
pub fn message_nodes(message: &str) -> Vec<Node> {
    let b = message.as_bytes();
    let mut out = Vec::new();
    let mut text = String::new();
    // The open link's target, while its text collects in `text`.
    let mut link: Option<String> = None;
    // Where the text not yet taken begins.
    let mut from = 0;
    let mut i = 0;
    while i < b.len() {
        // A tag is '<', an optional '/', a letter, and the rest up to '>';
        // any other '<' is text.
        let closing = b.get(i + 1) == Some(&b'/');
        let name_at = i + 1 + usize::from(closing);
        let end = b[i..].iter().position(|&c| c == b'>').map(|p| i + p);
        let (b'<', true, Some(end)) = (
            b[i],
            b.get(name_at).is_some_and(u8::is_ascii_alphabetic),
            end,
        ) else {
            i += 1;
            continue;
        };
        push_text(&message[from..i], &mut text);
        let name_end = (name_at..end)
            .find(|&k| !b[k].is_ascii_alphanumeric())
            .unwrap_or(end);
        let name = message[name_at..name_end].to_ascii_lowercase();
        i = end + 1;
        match name.as_str() {
            // Code, not text: dropped up to its end tag (or the end).
            "script" | "style" if !closing => {
                let mut at = b.len();
                for k in i..b.len() {
                    if b[k..].starts_with(b"</")
                        && b[k + 2..].len() >= name.len()
                        && b[k + 2..k + 2 + name.len()].eq_ignore_ascii_case(name.as_bytes())
                    {
                        at = b[k..]
                            .iter()
                            .position(|&c| c == b'>')
                            .map_or(b.len(), |p| k + p + 1);
                        break;
                    }
                }
                i = at;
            }
            "a" => {
                if let Some(href) = link.take() {
                    out.push(Node::Link(
                        href,
                        vec![Node::Text(std::mem::take(&mut text))],
                    ));
                }
                // An anchor without a target is only its text.
                link = href(&b[name_end..end])
                    .filter(|_| !closing)
                    .map(|raw| {
                        let mut decoded = String::new();
                        push_text(&String::from_utf8_lossy(raw), &mut decoded);
                        decoded
                    })
                    .filter(|h| !h.trim().is_empty());
                if link.is_some() && !text.is_empty() {
                    out.push(Node::Text(std::mem::take(&mut text)));
                }
            }
            "br" | "p" | "div" | "li" if link.is_none() => {
                if !text.is_empty() {
                    out.push(Node::Text(std::mem::take(&mut text)));
                }
                if !matches!(out.last(), None | Some(Node::Br)) {
                    out.push(Node::Br);
                }
            }
            _ => {}
        }
        from = i;
    }
    push_text(&message[from..], &mut text);
    match link {
        Some(href) => out.push(Node::Link(href, vec![Node::Text(text)])),
        None if !text.is_empty() => out.push(Node::Text(text)),
        None => {}
    }
    if matches!(out.last(), Some(Node::Br)) {
        out.pop();
    }
    out
}

/// The raw `href` value among a tag's attributes (the bytes after its name).
fn href(attrs: &[u8]) -> Option<&[u8]> {
    let skip_space = |mut k: usize| {
        while attrs.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        k
    };
    (1..attrs.len()).find_map(|k| {
        if !attrs[k - 1].is_ascii_whitespace()
            || !attrs[k..].get(..4)?.eq_ignore_ascii_case(b"href")
        {
            return None;
        }
        let eq = skip_space(k + 4);
        (attrs.get(eq) == Some(&b'=')).then_some(())?;
        let start = skip_space(eq + 1);
        let (start, stop): (usize, fn(&u8) -> bool) = match attrs.get(start)? {
            b'"' => (start + 1, |c| *c == b'"'),
            b'\'' => (start + 1, |c| *c == b'\''),
            _ => (start, u8::is_ascii_whitespace),
        };
        let len = attrs[start..]
            .iter()
            .position(stop)
            .unwrap_or(attrs.len() - start);
        Some(&attrs[start..start + len])
    })
}

/// Appends `raw` with the character references HTML text commonly holds
/// decoded; any other '&' stays as written.
fn push_text(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let known = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&apos;", '\''),
            ("&nbsp;", '\u{a0}'),
        ]
        .into_iter()
        .find(|(name, _)| rest.starts_with(name));
        let (len, c) = known.map_or((1, '&'), |(name, c)| (name.len(), c));
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.into())
    }

    #[test]
    fn plain_messages_stay_as_they_are() {
        assert_eq!(message_nodes("all good"), [text("all good")]);
        assert_eq!(
            message_nodes("latency < 5 ms, a<b"),
            [text("latency < 5 ms, a<b")]
        );
        assert_eq!(message_nodes("AT&T & co"), [text("AT&T & co")]);
        assert_eq!(message_nodes(""), []);
    }

    #[test]
    fn tags_go_and_their_text_stays() {
        assert_eq!(
            message_nodes("<b>Down</b> for <i>maintenance</i> &amp; upgrades &lt;3"),
            [text("Down for maintenance & upgrades <3")]
        );
        assert_eq!(
            message_nodes("<script>window.__xss=4</script><b>bold?</b>"),
            [text("bold?")]
        );
        assert_eq!(
            message_nodes("a<STYLE>p{}</style >b<script>never closed"),
            [text("ab")]
        );
        assert_eq!(
            message_nodes(r#"<img src=x onerror="alert(1)">after"#),
            [text("after")]
        );
        assert_eq!(message_nodes("cut <b"), [text("cut <b")]);
    }

    #[test]
    fn breaks_separate_lines() {
        assert_eq!(
            message_nodes("<p>one</p><p>two<br>three</p>"),
            [text("one"), Node::Br, text("two"), Node::Br, text("three")]
        );
    }

    #[test]
    fn links_keep_their_target_and_text() {
        assert_eq!(
            message_nodes(
                r#"See <a href="https://example.com/?a=1&amp;b=2" onclick="x()">the <b>incident</b></a>."#
            ),
            [
                text("See "),
                Node::Link(
                    "https://example.com/?a=1&b=2".into(),
                    vec![text("the incident")]
                ),
                text("."),
            ]
        );
        // The target is checked when the page builds the link; here it is kept.
        assert_eq!(
            message_nodes("<a href=javascript:alert(1)>x</a>"),
            [Node::Link("javascript:alert(1)".into(), vec![text("x")])]
        );
        assert_eq!(
            message_nodes("<a name=top>no target</a>"),
            [text("no target")]
        );
        assert_eq!(
            message_nodes("<a href='/x'>unclosed"),
            [Node::Link("/x".into(), vec![text("unclosed")])]
        );
    }

    #[test]
    fn common_references_decode_and_others_stay() {
        assert_eq!(
            message_nodes("&quot;&#39;&amp;&#0;&bogus;"),
            [text("\"'&&#0;&bogus;")]
        );
    }
}
