//! Entry point of the status page: mounts the app, nothing else.

mod app;
mod data;
mod page_state;
mod time;
mod views;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
