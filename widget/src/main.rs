//! The Provixchat widget: the chat panel that runs in the iframe the loader (`www/widget.js`)
//! opens on the edge's origin at `/embed/SITE?host=ORIGIN`.
//!
//! Build: `scripts/build` (cargo for wasm32, then wasm-bindgen). Tests: `cargo test -p widget`
//! natively, and `scripts/test` runs its browser tests with wasm-bindgen-test in headless Chromium.
// Natively only the unit tests are built; the app itself runs in the browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod accent;
#[cfg(target_arch = "wasm32")]
mod app;
mod bridge;
#[cfg(target_arch = "wasm32")]
mod chat;
mod consent;
mod contact_form;
mod outbox;
#[cfg(target_arch = "wasm32")]
mod panel;
#[cfg(all(test, target_arch = "wasm32"))]
mod test_support;
mod unread;
mod view;
#[cfg(target_arch = "wasm32")]
mod visibility;

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
