//! Entry point of the status page: mounts the app, nothing else.

mod app;
mod data;
mod page_state;
mod perf;
mod time;
mod views;

/// Talc instead of the default dlmalloc: less code in the page, and faster
/// (the page frees and allocates a few megabytes on every refresh).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // A panic's message on the console (the browser only says "unreachable").
    std::panic::set_hook(Box::new(|panic| {
        web_sys::console::error_1(&panic.to_string().into());
    }));
    perf::mark("start");
    leptos::mount::mount_to_body(app::App);
}
