//! The page's side of the raw-file reader (`bin/statuspage-raw.rs`): loads
//! that module the first time storage turns out to hold no history views,
//! then asks it for each refresh's views.

use std::cell::RefCell;

use checkup_model::NodeView;
use js_sys::{Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::LoadError;

/// The reader's JavaScript module, beside the page.
const MODULE: &str = "./statuspage-raw.js";

/// What one refresh of raw files gave.
#[derive(Debug, Serialize, Deserialize)]
pub struct RawRefresh {
    /// Every loaded file of the window, folded into views per node.
    pub views: Vec<NodeView>,
    /// Files that could not be read: (name, why).
    pub skipped: Vec<(String, String)>,
    /// Why this refresh brought nothing new, if it failed.
    pub problem: Option<LoadError>,
}

thread_local! {
    /// The reader's module, once loaded.
    static READER: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// A property of a JavaScript object that is a function.
fn function(of: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(of, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("it has no function {name}"))
}

/// Awaits what a JavaScript call returned, a promise or not.
async fn settled(called: Result<JsValue, JsValue>) -> Result<JsValue, String> {
    let value = called.map_err(|e| format!("{e:?}"))?;
    JsFuture::from(Promise::resolve(&value))
        .await
        .map_err(|e| format!("{e:?}"))
}

/// The reader, loaded (through `index.html`'s `checkupImport`) and started
/// on first use.
async fn reader() -> Result<JsValue, String> {
    if let Some(module) = READER.with(|r| r.borrow().clone()) {
        return Ok(module);
    }
    let window = web_sys::window().ok_or("there is no window")?;
    let import = function(&window, "checkupImport")?;
    let module = settled(import.call1(&JsValue::NULL, &MODULE.into())).await?;
    settled(function(&module, "default")?.call0(&JsValue::NULL)).await?;
    READER.with(|r| *r.borrow_mut() = Some(module.clone()));
    Ok(module)
}

/// The views of the raw files since `since` (Unix ns), for the config
/// whose text is `config`.
pub async fn refresh(config: &str, since: i64) -> Result<RawRefresh, LoadError> {
    let failed = |why: String| LoadError {
        what: format!("the reader of raw result files ({MODULE})"),
        why,
    };
    let module = reader().await.map_err(failed)?;
    let refresh = function(&module, "refresh").map_err(failed)?;
    let answer = settled(refresh.call2(
        &JsValue::NULL,
        &config.into(),
        &JsValue::from_f64(since as f64),
    ))
    .await
    .map_err(failed)?;
    let text = answer.as_string().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| failed(e.to_string()))
}
