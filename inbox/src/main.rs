//! The Provixchat inbox: the agents' page at `/inbox`. Sign in, see the workspace's conversations
//! update live, open one and reply.
//!
//! Build: `build_all` in `scripts/lib.sh`. Tests: `cargo test -p inbox` (reducers and forms) natively; the whole
//! page end to end in `tests/`.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(any(test, target_arch = "wasm32"))]
mod closing;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(any(test, target_arch = "wasm32"))]
mod data_requests;
#[cfg(any(test, target_arch = "wasm32"))]
mod forms;
#[cfg(any(test, target_arch = "wasm32"))]
mod inbox_state;
#[cfg(any(test, target_arch = "wasm32"))]
mod settings_draft;
#[cfg(any(test, target_arch = "wasm32"))]
mod visitor_text;

/// The inbox's heap in the browser: talc, as in the widget (`widget/src/main.rs`), rather than
/// Rust's default dlmalloc, which is one of the larger pieces of the WASM. The inbox is
/// single-threaded (no `atomics`), which this allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// Natively only the unit tests are built (the modules above); the app runs in the browser.
fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
