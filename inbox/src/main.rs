//! The Provixchat inbox: the agents' page at `/inbox`. Sign in, see the workspace's conversations
//! update live, open one and reply.
//!
//! Build: `scripts/build`. Tests: `cargo test -p inbox` (the list reducer) natively; the whole
//! page end to end in `tests/`.
// Natively only the unit tests are built; the app itself runs in the browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
mod closing;
#[cfg(target_arch = "wasm32")]
mod components;
mod data_requests;
mod forms;
mod inbox_state;
mod settings_draft;
mod visitor_text;

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
