//! Entry point of the status page: mounts the app, nothing else.

/// Talc instead of the default dlmalloc: less code in the page, and faster
/// (the page frees and allocates a few megabytes on every refresh).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    statuspage_wasm::run();
}
