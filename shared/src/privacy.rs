//! Data-subject rights (access, export, correction, erasure, restriction, objection), asked for by
//! the visitor from the widget's privacy menu or by a workspace's owner or admin on their behalf,
//! and where a workspace's data lives.

use crate::domain::{ChatMessage, ConversationDetails, ConversationId, Email, SiteId, VisitorId};
use crate::visitor::VisitorProfile;
use serde::{Deserialize, Serialize};

/// Where a workspace's Durable Objects (its settings, conversations and visitors) store their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataRegion {
    /// Wherever Cloudflare places the objects (near the first visitor).
    #[default]
    Global,
    /// Pinned to the European Union (Durable Object jurisdiction `eu`).
    Eu,
}

/// Ends the id of every workspace whose data is pinned to the EU. The region is part of the id
/// because every object of the workspace must be addressed in its jurisdiction before anything
/// about the workspace can be read.
pub const EU_SITE_SUFFIX: &str = "-eu";

impl DataRegion {
    pub fn of(site: &SiteId) -> Self {
        match site.as_str().ends_with(EU_SITE_SUFFIX) {
            true => Self::Eu,
            false => Self::Global,
        }
    }

    /// The Durable Object jurisdiction, if any.
    pub fn jurisdiction(self) -> Option<&'static str> {
        match self {
            Self::Global => None,
            Self::Eu => Some("eu"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Global => "Global (Cloudflare's network, nearest location)",
            Self::Eu => "European Union",
        }
    }
}

/// What a data subject (or an admin on their behalf) asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataAction {
    /// What is held and which restrictions apply: answers [`DataSubject`].
    Status,
    /// Everything held (Art. 15, 20): answers [`DataExport`].
    Export,
    /// Correct the name and/or email (Art. 16): answers [`DataSubject`].
    Correct {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
    /// Delete everything (Art. 17): answers [`Erased`]. The visitor token stops working.
    Erase,
    /// Pause all processing (Art. 18): data kept, nothing new captured. `on: false` lifts it.
    Restrict { on: bool },
    /// Object to analytics (Art. 21): page activity, device and location are deleted and no
    /// longer captured, whatever the consent says. `on: false` withdraws the objection.
    Object { on: bool },
}

/// `POST /api/v1/sites/{site}/my-data` from the widget (the edge's own origin): the visitor's own
/// request, authenticated by their visitor token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDataRequest {
    pub token: String,
    pub request: DataAction,
}

/// A visitor as the privacy menu and the inbox's data requests page show them.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DataSubject {
    pub visitor_id: Option<VisitorId>,
    pub name: Option<String>,
    pub email: Option<Email>,
    /// The site's user id from a verified `identify`.
    pub user_id: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub conversations: u32,
    pub pages: u32,
    pub consents: u32,
    pub restricted: bool,
    pub objected: bool,
}

/// One conversation in an export. Agents' private notes are left out of the visitor's own
/// export and included (marked `note`) in one an admin makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationExport {
    pub id: ConversationId,
    pub details: ConversationDetails,
    pub messages: Vec<ChatMessage>,
    /// Where the conversation's files are downloaded for the next hours: a message's file is
    /// this address followed by the file's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<String>,
}

/// Everything held about a visitor: the "download my data" file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataExport {
    pub exported_at: i64,
    pub site: SiteId,
    pub data_region: DataRegion,
    pub visitor_id: VisitorId,
    /// Contact details, identity, attributes, device, location, page activity (newest first),
    /// consent history (oldest first), contact edits, restrictions.
    pub profile: VisitorProfile,
    pub conversations: Vec<ConversationExport>,
    /// The emails this site sent the visitor (replies they asked for), from the mail log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<MailRecord>,
}

/// One email sent to a visitor, as their export lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    pub at: i64,
    /// What it was (`visitor_replies`).
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// `sent`, `refused` (over the limit) or `failed`.
    pub status: String,
}

/// The answer to an erasure: what was deleted, and the reference the audit log keeps (a hash of
/// the visitor id; it cannot be turned back into the id).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    pub conversations: u32,
    pub reference: String,
}

/// `GET /api/v1/workspaces/{site}/data-subjects?q=` (owners and admins): visitors whose email or
/// visitor id is `q`. `POST …/data-subjects/{visitor_id}` with a [`DataAction`] acts for them.
pub type DataSubjects = Vec<DataSubject>;

/// Days a closed account or workspace is kept (unreachable) before it is deleted completely:
/// time to notice a mistake or a hijacked account, and for the site owner to export.
pub const CLOSURE_GRACE_DAYS: u32 = 14;

/// `POST /api/v1/me/close`: close the signed-in account (its password confirms it). Refused
/// while the account owns a workspace: that workspace has to be closed first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseAccountRequest {
    pub password: String,
}

/// `POST /api/v1/workspaces/{site}/close` (the owner only): `confirm` must be the workspace id.
/// The widget stops at once and every member loses access; everything is deleted after the
/// grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseWorkspaceRequest {
    pub confirm: String,
}

/// Answer to a closure: when everything will have been deleted (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub deleted_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_read_from_the_site_id() {
        assert_eq!(DataRegion::of(&SiteId::parse("shop-a1b2c3-eu").unwrap()), DataRegion::Eu);
        assert_eq!(DataRegion::of(&SiteId::parse("shop-a1b2c3").unwrap()), DataRegion::Global);
        assert_eq!(DataRegion::of(&SiteId::parse("europe-a1b2c3").unwrap()).jurisdiction(), None);
        assert_eq!(DataRegion::Eu.jurisdiction(), Some("eu"));
    }

    #[test]
    fn actions_are_tagged_by_kind() {
        let json = r#"{"token":"t","request":{"kind":"restrict","on":true}}"#;
        let req: MyDataRequest = serde_json::from_str(json).unwrap();
        assert_eq!(req.request, DataAction::Restrict { on: true });
        let correct: DataAction = serde_json::from_str(r#"{"kind":"correct","email":"a@b.example"}"#).unwrap();
        assert_eq!(correct, DataAction::Correct { name: None, email: Some("a@b.example".into()) });
        assert!(serde_json::from_str::<DataAction>(r#"{"kind":"shred"}"#).is_err());
    }
}
