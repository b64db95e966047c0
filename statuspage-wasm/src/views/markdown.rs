//! Incident text: Markdown parsed by pulldown-cmark and built straight into
//! DOM nodes, never through an HTML string. Raw HTML in the source is shown
//! as the text it is, links go only to http(s), mailto or relative targets,
//! and images are shown as their description (no third-party loads).

use checkup_model::page_config::is_safe_url;
use leptos::html;
use leptos::prelude::*;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A frame of the element being built: how to wrap its children.
enum Frame {
    Paragraph,
    Heading,
    Quote,
    CodeBlock,
    List(Option<u64>),
    Item,
    Emphasis,
    Strong,
    Strike,
    Link(Option<String>),
    Image,
    /// Anything else (tables, footnotes): children kept, no wrapper.
    Plain,
}

#[component]
pub fn Markdown(source: String) -> impl IntoView {
    let mut stack: Vec<(Frame, Vec<AnyView>)> = vec![(Frame::Plain, Vec::new())];
    for event in Parser::new(&source) {
        match event {
            Event::Start(tag) => {
                let frame = match tag {
                    Tag::Paragraph => Frame::Paragraph,
                    Tag::Heading { .. } => Frame::Heading,
                    Tag::BlockQuote(_) => Frame::Quote,
                    Tag::CodeBlock(_) => Frame::CodeBlock,
                    Tag::List(start) => Frame::List(start),
                    Tag::Item => Frame::Item,
                    Tag::Emphasis => Frame::Emphasis,
                    Tag::Strong => Frame::Strong,
                    Tag::Strikethrough => Frame::Strike,
                    Tag::Link { dest_url, .. } => {
                        Frame::Link(is_safe_url(&dest_url).then(|| dest_url.to_string()))
                    }
                    Tag::Image { .. } => Frame::Image,
                    _ => Frame::Plain,
                };
                stack.push((frame, Vec::new()));
            }
            Event::End(TagEnd::HtmlBlock) => {}
            Event::End(_) => {
                if stack.len() < 2 {
                    continue;
                }
                let (frame, children) = stack.pop().expect("checked above");
                let built = wrap(frame, children);
                stack.last_mut().expect("root frame").1.push(built);
            }
            // Raw HTML is text here: `<script>` shows as "<script>".
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push(&mut stack, text.to_string().into_any());
            }
            Event::Code(code) => push(&mut stack, html::code().child(code.to_string()).into_any()),
            Event::SoftBreak => push(&mut stack, " ".into_any()),
            Event::HardBreak => push(&mut stack, html::br().into_any()),
            Event::Rule => push(&mut stack, html::hr().into_any()),
            _ => {}
        }
    }
    // Unclosed frames (cannot happen with pulldown-cmark) fold into the root.
    while stack.len() > 1 {
        let (frame, children) = stack.pop().expect("len > 1");
        let built = wrap(frame, children);
        stack.last_mut().expect("root").1.push(built);
    }
    let (_, root) = stack.pop().expect("root frame");
    view! { <div class="markdown">{root}</div> }
}

fn push(stack: &mut [(Frame, Vec<AnyView>)], view: AnyView) {
    stack.last_mut().expect("root frame").1.push(view);
}

fn wrap(frame: Frame, children: Vec<AnyView>) -> AnyView {
    match frame {
        Frame::Paragraph => html::p().child(children).into_any(),
        Frame::Heading => html::p()
            .class("md-heading")
            .child(html::strong().child(children))
            .into_any(),
        Frame::Quote => html::blockquote().child(children).into_any(),
        Frame::CodeBlock => html::pre().child(html::code().child(children)).into_any(),
        Frame::List(None) => html::ul().child(children).into_any(),
        Frame::List(Some(start)) => html::ol()
            .attr("start", start.to_string())
            .child(children)
            .into_any(),
        Frame::Item => html::li().child(children).into_any(),
        Frame::Emphasis => html::em().child(children).into_any(),
        Frame::Strong => html::strong().child(children).into_any(),
        Frame::Strike => html::del().child(children).into_any(),
        Frame::Link(Some(href)) => html::a()
            .attr("href", href)
            .attr("rel", "nofollow noopener noreferrer")
            .child(children)
            .into_any(),
        // An unsafe link keeps its text and loses its target.
        Frame::Link(None) => html::span()
            .class("md-unsafe-link")
            .child(children)
            .into_any(),
        Frame::Image => html::span()
            .class("md-image")
            .child(("[image: ", children, "]"))
            .into_any(),
        Frame::Plain => children.into_any(),
    }
}
