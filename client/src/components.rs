//! Components both the widget and the inbox render.

mod composer;
mod message_list;

pub use composer::{Composer, ComposerProps};
pub use message_list::{MessageList, MessageListProps, Viewer};
