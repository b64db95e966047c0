//! A small XML reader for the answers of S3-compatible stores (listings and
//! error documents): elements, text, entities and CDATA, nothing more.
//!
//! Written here rather than taken from a full XML parser (roxmltree), which
//! is much more code than the page needs for the two documents it reads
//! (BENCHMARKS.md). This reader accepts
//! well-formed documents of the shape S3 sends and refuses what it does not
//! understand (a DTD, a tag left open, an unknown entity) with a message
//! that says what and where, as a full parser would. It refuses nesting deeper
//! than S3 ever sends, so no document can make it (or dropping what it
//! built) exhaust the stack.

/// One element: its local name (any `prefix:` dropped, as S3 answers use a
/// default namespace), the text directly inside it, and its child elements.
/// Attributes are read past and dropped: S3 answers carry none we need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child element called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// S3 answers nest three deep; anything far deeper is not one of them.
const MAX_DEPTH: usize = 32;

/// Reads `xml` into its root element, or says what is wrong and at which
/// byte.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut open: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut at = 0;
    let fail = |at: usize, what: &str| Err(format!("{what} (at byte {at})"));
    while at < xml.len() {
        let rest = &xml[at..];
        if let Some(after) = rest.strip_prefix("<?") {
            at += 2 + end_of(after, "?>").ok_or_else(|| format!("unclosed <? (at byte {at})"))?;
        } else if let Some(after) = rest.strip_prefix("<!--") {
            at += 4 + end_of(after, "-->")
                .ok_or_else(|| format!("unclosed comment (at byte {at})"))?;
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let len = after
                .find("]]>")
                .ok_or_else(|| format!("unclosed CDATA section (at byte {at})"))?;
            match open.last_mut() {
                Some(parent) => parent.text.push_str(&after[..len]),
                None => return fail(at, "CDATA outside the root element"),
            }
            at += 9 + len + 3;
        } else if rest.starts_with("<!") {
            return fail(at, "a DTD or declaration, which is not accepted");
        } else if let Some(after) = rest.strip_prefix("</") {
            let len = after
                .find('>')
                .ok_or_else(|| format!("unclosed end tag (at byte {at})"))?;
            let name = local_name(after[..len].trim_end());
            let Some(element) = open.pop() else {
                return fail(at, &format!("</{name}> closes nothing"));
            };
            if element.name != name {
                return fail(
                    at,
                    &format!("</{name}> where </{}> was expected", element.name),
                );
            }
            close(element, &mut open, &mut root);
            at += 2 + len + 1;
        } else if let Some(after) = rest.strip_prefix('<') {
            if root.is_some() {
                return fail(at, "a second root element");
            }
            let (name, len, empty) =
                start_tag(after).ok_or_else(|| format!("malformed start tag (at byte {at})"))?;
            let element = Element {
                name: local_name(name).to_string(),
                ..Element::default()
            };
            if empty {
                close(element, &mut open, &mut root);
            } else if open.len() == MAX_DEPTH {
                return fail(at, &format!("elements nested more than {MAX_DEPTH} deep"));
            } else {
                open.push(element);
            }
            at += 1 + len;
        } else {
            let len = rest.find('<').unwrap_or(rest.len());
            let text = decode(&rest[..len]).map_err(|e| format!("{e} (at byte {at})"))?;
            match open.last_mut() {
                Some(parent) => parent.text.push_str(&text),
                None if text.trim().is_empty() => {}
                None => return fail(at, "text outside the root element"),
            }
            at += len;
        }
    }
    if let Some(element) = open.last() {
        return Err(format!("<{}> is never closed", element.name));
    }
    root.ok_or_else(|| "the document has no root element".to_string())
}

/// Where `end` finishes in `text`: the length up to and including it.
fn end_of(text: &str, end: &str) -> Option<usize> {
    text.find(end).map(|i| i + end.len())
}

/// Hands a finished element to its parent, or makes it the root.
fn close(element: Element, open: &mut [Element], root: &mut Option<Element>) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Reads a start tag after its `<`: its name, its length up to and
/// including `>`, and whether it ends with `/>`. Attribute values are quoted
/// and may contain `>`, so they are skipped quote to quote.
fn start_tag(tag: &str) -> Option<(&str, usize, bool)> {
    let name_len = tag.find(|c: char| c.is_whitespace() || c == '/' || c == '>')?;
    if name_len == 0 {
        return None;
    }
    let bytes = tag.as_bytes();
    let mut at = name_len;
    let mut quote: Option<u8> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte == b'>' => {
                let empty = bytes[at - 1] == b'/';
                return Some((&tag[..name_len], at + 1, empty));
            }
            None => {}
        }
        at += 1;
    }
    None
}

/// Replaces the five predefined entities and character references.
fn decode(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let len = after
            .find(';')
            .ok_or_else(|| "an & that starts no entity".to_string())?;
        let entity = &after[..len];
        let decoded = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = match entity.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => entity.strip_prefix('#').unwrap_or("?").parse(),
                };
                number
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown entity &{entity};"))?
            }
        };
        out.push(decoded);
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_text_entities_and_cdata() {
        let doc = parse(
            "<?xml version=\"1.0\"?>\n<!-- c --><a:Root xmlns:a=\"x\" q='>'>\
             <Key>b&amp;c &lt;&#65;&#x42;&gt;</Key><Empty/><Empty x=\"1\" />\
             <Data><![CDATA[<raw> & stuff]]></Data></a:Root>\n",
        )
        .unwrap();
        assert_eq!(doc.name, "Root");
        assert_eq!(doc.child_text("Key"), Some("b&c <AB>"));
        assert_eq!(doc.children.iter().filter(|c| c.name == "Empty").count(), 2);
        assert_eq!(doc.child_text("Data"), Some("<raw> & stuff"));
        assert_eq!(doc.child("Missing"), None);
    }

    #[test]
    fn refuses_what_is_not_well_formed_and_says_where() {
        for (xml, says) in [
            ("<a><b></a>", "</a> where </b> was expected"),
            ("<a>", "<a> is never closed"),
            ("</a>", "closes nothing"),
            ("<a/><b/>", "a second root element"),
            ("text<a/>", "text outside the root element"),
            ("<a>&nope;</a>", "unknown entity &nope;"),
            ("<a>&#xD800;</a>", "unknown entity"),
            ("<a>& b;</a>", "unknown entity & b;"),
            ("<a>&amp</a>", "an & that starts no entity"),
            ("<!DOCTYPE a><a/>", "DTD"),
            ("<a", "malformed start tag"),
            ("<a x='>", "malformed start tag"),
            ("< a/>", "malformed start tag"),
            ("<!-- open", "unclosed comment"),
            ("<a><![CDATA[x</a>", "unclosed CDATA"),
            ("", "no root element"),
            ("<a></a", "unclosed end tag"),
        ] {
            let error = parse(xml).unwrap_err();
            assert!(error.contains(says), "{xml:?} gave {error:?}");
        }
    }

    #[test]
    fn refuses_nesting_deeper_than_any_s3_answer() {
        let nested = |depth: usize| "<a>".repeat(depth) + &"</a>".repeat(depth);
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let error = parse(&nested(200_000)).unwrap_err();
        assert!(error.contains("nested more than 32 deep"), "{error}");
    }
}
