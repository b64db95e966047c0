//! Entry point of the status page: mounts the app, nothing else.

mod app;
mod data;
mod page_state;
mod perf;
mod time;
mod views;

fn main() {
    console_error_panic_hook::set_once();
    perf::mark("start");
    leptos::mount::mount_to_body(app::App);
}
