//! The consent banner and the privacy preferences, in the visitor's language.

pub mod dialog;
pub mod labels;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use dialog::Mode;
#[cfg(target_arch = "wasm32")]
pub use view::ConsentView;
