//! The consent banner and the privacy preferences (with "Your data": the visitor's own
//! data-subject requests), in the visitor's language.

pub mod data_labels;
pub mod data_state;
#[cfg(target_arch = "wasm32")]
pub mod dialog;
pub mod labels;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
mod your_data;
#[cfg(target_arch = "wasm32")]
pub use dialog::Mode;
#[cfg(target_arch = "wasm32")]
pub use view::ConsentView;
