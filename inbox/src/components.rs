//! The inbox's components, one per file.

pub mod consent_log;
pub mod conversation_list;
pub mod conversation_view;
pub mod inbox;
pub mod sign_in;
pub mod conversation_header;
pub mod filters;
pub mod notify;
pub mod reply_box;
pub mod saved_reply_picker;
pub mod search_box;
pub mod shell;
pub mod sidebar;
pub mod top_bar;
