//! The browser's `fetch`, bare: a GET that revalidates with the server, and the
//! answer's status, headers and body. Called directly rather than through
//! gloo-net, which brings a streams layer (wasm-streams) the page never uses.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestInit, Response};

/// GETs `url`, always asking the server (these files change), but
/// conditionally: an unchanged object costs a 304, not its bytes. An error
/// is the browser's reason, in words: no answer at all, or a blocked one.
pub async fn get(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("there is no window")?;
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoCache);
    answer(window.fetch_with_str_and_init(url, &init)).await
}

/// Waits for a promise of a `Response`, such as the one `index.html` starts.
pub async fn answer(promise: Promise) -> Result<Response, String> {
    let value = JsFuture::from(promise).await.map_err(describe)?;
    value
        .dyn_into::<Response>()
        .map_err(|_| "the answer is not an HTTP response".to_string())
}

/// The body as text.
pub async fn text(response: &Response) -> Result<String, String> {
    let value = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    value
        .as_string()
        .ok_or_else(|| "the body is not text".to_string())
}

/// The body as bytes, copied once from the browser's buffer.
pub async fn bytes(response: &Response) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A header's value, if the browser lets the page read it.
pub fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// A JavaScript error as the browser words it ("TypeError: Failed to fetch").
fn describe(error: JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", String::from(e.name()), String::from(e.message())),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    }
}
