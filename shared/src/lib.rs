//! Provixchat's wire contract: the protocol spoken between the widget, the inbox and the edge
//! (`protocol`), the HTTP API bodies (`api`), the validated domain types both sides apply
//! (`domain`), and the consent texts both the edge's banner and the widget show (`consent_labels`,
//! `data_labels`). No runtime dependencies: serde only, so every side can use it and `cargo test -p shared`
//! checks it natively, including the JSON fixtures in `fixtures/`.

pub mod api;
pub mod audit;
pub mod chat_labels;
pub mod close_code;
pub mod consent;
pub mod consent_labels;
pub mod data_labels;
pub mod domain;
pub mod files;
pub mod json;
pub mod privacy;
pub mod protocol;
pub mod to_json;
pub mod visitor;

pub use close_code::CloseCode;
pub use domain::{
    AgentRef, AllowedDomain, Author, ChatMessage, ClientMsgId, ConversationDetails, ConversationId, ConversationStatus,
    ConversationSummary, DomainError, Email, MessageBody, Party, SiteId, VisitorId,
};
pub use protocol::{AgentPresence, ClientMsg, ErrorCode, ServerMsg, HISTORY_PAGE, PROTOCOL_VERSION};
