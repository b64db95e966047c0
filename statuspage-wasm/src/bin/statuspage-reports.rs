//! The monthly Reports page's program (`reports.html` loads it): mounts
//! the Reports view, nothing else. Apart from the status page, so its
//! visitors do not download it.

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    statuspage_wasm::reports::run();
}
