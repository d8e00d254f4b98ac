//! One Durable Object per conversation: its messages (SQLite), the visitor's and agents' sockets
//! (hibernation API), and a notice to its workspace after every new message.

pub mod logic;
#[cfg(target_arch = "wasm32")]
pub mod object;
#[cfg(target_arch = "wasm32")]
pub use object::Conversation;
