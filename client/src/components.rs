//! Components both the widget and the inbox render.

mod composer;
mod message_list;
mod suggestion_list;

pub use composer::{Composer, ComposerProps, KeptDraft, Notes, Suggestion, Suggestions};
pub use message_list::{MessageList, MessageListProps, Viewer};
