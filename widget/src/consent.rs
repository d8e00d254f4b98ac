//! The privacy preferences (with "Your data": the visitor's own data-subject requests), in the
//! visitor's language. (The consent banner is drawn without WASM: the edge renders it for the
//! loader, `edge/src/banner.rs`.)

pub mod data_state;
#[cfg(target_arch = "wasm32")]
pub mod dialog;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
mod your_data;
#[cfg(target_arch = "wasm32")]
pub use view::{language_tags, ConsentView};
