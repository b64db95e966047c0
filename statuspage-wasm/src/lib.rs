//! The status page as a library: the app (`app`, `views`), its data access
//! (`data`) and its words (`i18n`). Three programs are built from it: the
//! page itself (`main.rs`), the reader of raw round files that only
//! storage without history views needs (`bin/statuspage-raw.rs`), loaded
//! on demand so every other visitor is spared its code, and the monthly
//! Reports page (`reports`, `bin/statuspage-reports.rs`, `reports.html`).

pub mod app;
pub mod data;
pub mod i18n;
pub mod page_state;
pub mod perf;
pub mod reports;
pub mod time;
pub mod views;

/// Starts the page: mounts the app.
pub fn run() {
    // A panic's message on the console (the browser only says "unreachable").
    std::panic::set_hook(Box::new(|panic| {
        web_sys::console::error_1(&panic.to_string().into());
    }));
    perf::mark("start");
    leptos::mount::mount_to_body(app::App);
}
