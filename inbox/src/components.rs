//! The inbox's components, one per file.

pub mod consent_log;
pub mod conversation_list;
pub mod conversation_view;
pub mod inbox;
pub mod sign_in;
