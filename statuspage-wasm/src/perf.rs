//! Performance API marks at the stages of the first load (`checkup:start`,
//! `checkup:config`, `checkup:views`, `checkup:rendered`, and
//! `checkup:complete` once the rows that wait for the first paint are drawn
//! too): the page benchmark reads them to say where the time goes.

/// Sets the mark `checkup:<stage>`; without a Performance API, nothing.
pub fn mark(stage: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(&format!("checkup:{stage}"));
    }
}

/// Resolves once the browser has laid out and painted what is in the DOM
/// now: after the next animation frame, then a task (which runs after that
/// frame's paint). "Rendered" means seen, not just put in the DOM.
pub async fn painted() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}
