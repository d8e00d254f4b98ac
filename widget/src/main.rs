//! The Provixchat widget: the chat panel that runs in the iframe the loader (`www/widget.js`)
//! opens on the edge's origin at `/embed/SITE?host=ORIGIN`.
//!
//! Build: `build_all` in `scripts/lib.sh` (cargo for wasm32, then wasm-bindgen). Tests: `cargo test -p widget`
//! natively, and `scripts/test` runs its browser tests with wasm-bindgen-test in headless Chromium.

#[cfg(any(test, target_arch = "wasm32"))]
mod accent;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(any(test, target_arch = "wasm32"))]
mod bridge;
#[cfg(target_arch = "wasm32")]
mod chat;
#[cfg(any(test, target_arch = "wasm32"))]
mod consent;
#[cfg(any(test, target_arch = "wasm32"))]
mod contact_form;
#[cfg(any(test, target_arch = "wasm32"))]
mod outbox;
#[cfg(target_arch = "wasm32")]
mod panel;
#[cfg(all(test, target_arch = "wasm32"))]
mod test_support;
#[cfg(any(test, target_arch = "wasm32"))]
mod unread;
#[cfg(any(test, target_arch = "wasm32"))]
mod view;
#[cfg(target_arch = "wasm32")]
mod visibility;

/// The widget's heap in the browser. Rust's default WebAssembly allocator (dlmalloc) is one of
/// the larger pieces of the WASM; talc does the same job in far less code, growing the WASM memory
/// as needed. The widget is single-threaded (no `atomics`), which this allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// Natively only the unit tests are built (the modules above); the app runs in the browser.
fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
