//! Fuzz target: any text as a check's message, which checkup documented as
//! HTML and the checker reduces to text and links. Reading it never panics,
//! and what comes out is only text, line breaks and links holding text.
#![no_main]

use checker::messages::html::message_nodes;
use checkup_model::contract::incident_text::Node;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for node in message_nodes(text) {
        match node {
            Node::Text(t) => assert!(!t.is_empty(), "no empty text nodes"),
            Node::Br => {}
            Node::Link(_, inner) => {
                assert!(
                    inner.iter().all(|n| matches!(n, Node::Text(_))),
                    "{inner:?}"
                )
            }
            other => panic!("a message became {other:?}"),
        }
    }
});
