//! Bodies of the edge's HTTP API (`/api/v1/…`). Every error answer is an [`ApiError`].

use crate::domain::{ConversationId, Email, SiteId};
use crate::protocol::ErrorCode;
use serde::{Deserialize, Serialize};

/// `POST /api/v1/sites/{site}/visitor-session`: the widget asks for a visitor token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorSessionRequest {
    /// Origin of the page that embeds the widget; must be one of the site's allowed domains.
    pub host: String,
    /// A token from an earlier visit, to continue the same conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Answer to [`VisitorSessionRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorSession {
    /// Signed by the edge; opens the visitor's conversation socket. The widget keeps it in memory
    /// and stores it only once the visitor has started a chat.
    pub token: String,
    pub conversation_id: ConversationId,
    /// Shown in the widget's header.
    pub site_name: String,
    /// Shown above an empty conversation.
    pub greeting: String,
}

/// `POST /api/v1/auth/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// `GET /api/v1/me`: the signed-in agent and the workspaces they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: Email,
    pub workspaces: Vec<WorkspaceRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceRef {
    pub id: SiteId,
    pub name: String,
    /// `owner`, `admin` or `agent`: owners and admins change settings.
    pub role: String,
}

impl WorkspaceRef {
    pub fn can_manage(&self) -> bool {
        self.role == "owner" || self.role == "admin"
    }
}

/// The body of every HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
}
