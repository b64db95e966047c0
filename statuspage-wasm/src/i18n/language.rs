//! Which language the page speaks: the visitor's pick (remembered in the
//! browser), else `language` from `config.json`, else the first of the
//! browser's languages the page speaks, else English. Said on `<html>` as
//! `lang` and, for Arabic, `dir="rtl"`.

use std::cell::Cell;

use checkup_model::contract::page_config::supported_language;

/// Where the visitor's pick is kept.
const PICKED_KEY: &str = "checkup-language";

thread_local! {
    static CURRENT: Cell<&'static str> = const { Cell::new("en") };
}

/// The language the page speaks (a tag of `LANGUAGES`).
pub fn current() -> &'static str {
    CURRENT.with(Cell::get)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The visitor's own pick, if they made one.
fn picked() -> Option<&'static str> {
    supported_language(&storage()?.get_item(PICKED_KEY).ok()??)
}

/// The first of the browser's languages the page speaks.
fn browsers() -> Option<&'static str> {
    let languages = web_sys::window()?.navigator().languages();
    languages
        .iter()
        .filter_map(|l| l.as_string())
        .find_map(|l| supported_language(&l))
}

/// The language to speak, given the config's `language`.
fn choose(configured: Option<&str>) -> &'static str {
    picked()
        .or_else(|| configured.and_then(supported_language))
        .or_else(browsers)
        .unwrap_or("en")
}

/// Chooses the language (given the config's `language`), loads its texts
/// (else English's; failing both, the page still works, its texts shown as
/// their keys) and speaks it from now on.
pub async fn learn(configured: Option<&str>) {
    let chosen = choose(configured);
    for language in [chosen, "en"] {
        match crate::data::load_texts(language).await {
            Ok(texts) => {
                super::install(texts);
                speak(language);
                return;
            }
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    }
}

/// Speaks `language` from now on, and says so on `<html>`.
fn speak(language: &'static str) {
    CURRENT.with(|c| c.set(language));
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", language);
        let _ = root.set_attribute("dir", if language == "ar" { "rtl" } else { "ltr" });
    }
}

/// The visitor picked `language`: remembered, and the page starts again in
/// it (every text and format changes; the browser's cache makes it quick).
pub fn pick(language: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(PICKED_KEY, language);
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
