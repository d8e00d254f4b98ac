//! The workspace's audit log on the wire: what was done ([`AuditAction`]), by whom
//! ([`AuditActor`]), and the entry holding both ([`AuditEntry`]).

use crate::domain::Email;
use serde::{Deserialize, Serialize};

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    LockedOut,
    InviteCreated,
    InviteAccepted,
    RoleChanged,
    MemberRemoved,
    SettingsChanged,
    ConsentSettingsChanged,
    ConsentLogExported,
    /// The audit log itself downloaded as CSV (reading it in the inbox is not logged).
    AuditLogExported,
    IdentityRefused,
    /// An owner or admin made a new identity secret: verified visitors must be identified again.
    IdentitySecretRotated,
    /// Data-subject requests, by the visitor or by an owner or admin on their behalf; the detail
    /// names the subject only by a non-reversible reference.
    DataExported,
    DataCorrected,
    DataErased,
    ProcessingRestricted,
    ProcessingResumed,
    AnalyticsObjected,
    AnalyticsObjectionWithdrawn,
    /// The retention period deleted conversations or page activity.
    RetentionDeleted,
    /// A per-visitor or per-site rate limit refused requests.
    RateLimited,
    /// An agent blocked a visitor from the chat, or unblocked them.
    VisitorBlocked,
    VisitorUnblocked,
    /// The workspace's plan or payment status changed (billing; the detail says how).
    Billing,
    /// API tokens made or revoked, a token's use of a write scope, webhook endpoints added,
    /// changed, removed or disabled (the detail says which).
    Api,
    /// Something this build does not know (written by a newer edge).
    #[serde(other)]
    Unknown,
}

impl AuditAction {
    /// Whether the action answers a data-subject request (the inbox's request history).
    pub fn is_data_request(self) -> bool {
        matches!(
            self,
            AuditAction::DataExported
                | AuditAction::DataCorrected
                | AuditAction::DataErased
                | AuditAction::ProcessingRestricted
                | AuditAction::ProcessingResumed
                | AuditAction::AnalyticsObjected
                | AuditAction::AnalyticsObjectionWithdrawn
        )
    }

    /// Every action in the order the inbox's audit filter lists them (its option values are
    /// indexes here), `Unknown` ("Other") last. The test below fails when a variant is missing.
    pub const ALL: [AuditAction; 27] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::LockedOut,
        AuditAction::InviteCreated,
        AuditAction::InviteAccepted,
        AuditAction::RoleChanged,
        AuditAction::MemberRemoved,
        AuditAction::SettingsChanged,
        AuditAction::ConsentSettingsChanged,
        AuditAction::ConsentLogExported,
        AuditAction::AuditLogExported,
        AuditAction::IdentityRefused,
        AuditAction::IdentitySecretRotated,
        AuditAction::DataExported,
        AuditAction::DataCorrected,
        AuditAction::DataErased,
        AuditAction::ProcessingRestricted,
        AuditAction::ProcessingResumed,
        AuditAction::AnalyticsObjected,
        AuditAction::AnalyticsObjectionWithdrawn,
        AuditAction::RetentionDeleted,
        AuditAction::RateLimited,
        AuditAction::VisitorBlocked,
        AuditAction::VisitorUnblocked,
        AuditAction::Billing,
        AuditAction::Api,
        AuditAction::Unknown,
    ];
}

/// Which entries an audit-log page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "action")]
pub enum AuditFilter {
    #[default]
    All,
    /// One kind of action.
    Action(AuditAction),
    /// The data-subject requests (the inbox's request history).
    DataRequests,
}

impl AuditFilter {
    pub fn admits(self, action: AuditAction) -> bool {
        match self {
            AuditFilter::All => true,
            AuditFilter::Action(a) => a == action,
            AuditFilter::DataRequests => action.is_data_request(),
        }
    }
}

/// One page of the audit log, newest first: `GET …/audit?before=N&action=NAME` and
/// `GET …/data-requests?before=N`. `next_before` asks for the page after it (older entries);
/// `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[serde(default)]
    pub next_before: Option<u64>,
}

/// Who did what an audit entry records. On the wire a plain string, as every entry stored before
/// this type was: `visitor`, `site`, `retention`, or an agent's email. A string this build does
/// not know is kept as written ([`AuditActor::Other`]), so newer entries still show and round-trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AuditActor {
    /// The visitor themself: a data request, or a chat connection over the rate limit (`visitor`).
    Visitor,
    /// The site's own page: a refused identity, its calls over a rate limit (`site`).
    Site,
    /// The workspace's retention period deleting old data (`retention`).
    Retention,
    /// A member of the workspace, by their email.
    Agent(Email),
    /// Anything else, as written (by a newer edge, say).
    Other(String),
}

impl AuditActor {
    /// The actor as it is written on the wire and in the CSV export.
    pub fn as_str(&self) -> &str {
        match self {
            AuditActor::Visitor => "visitor",
            AuditActor::Site => "site",
            AuditActor::Retention => "retention",
            AuditActor::Agent(email) => email.as_str(),
            AuditActor::Other(text) => text,
        }
    }
}

impl From<&str> for AuditActor {
    fn from(s: &str) -> Self {
        match s {
            "visitor" => AuditActor::Visitor,
            "site" => AuditActor::Site,
            "retention" => AuditActor::Retention,
            // Only an address already in its normal form is an agent, so the text round-trips.
            _ => match Email::parse(s) {
                Ok(email) if email.as_str() == s => AuditActor::Agent(email),
                _ => AuditActor::Other(s.to_owned()),
            },
        }
    }
}

impl From<String> for AuditActor {
    fn from(s: String) -> Self {
        AuditActor::from(s.as_str())
    }
}

impl From<&Email> for AuditActor {
    fn from(email: &Email) -> Self {
        AuditActor::Agent(email.clone())
    }
}

impl From<AuditActor> for String {
    fn from(actor: AuditActor) -> Self {
        match actor {
            AuditActor::Agent(email) => email.into(),
            AuditActor::Other(text) => text,
            known => known.as_str().to_owned(),
        }
    }
}

impl std::fmt::Display for AuditActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /api/v1/workspaces/{site}/audit[?format=csv]` (owners and admins): the workspace's
/// append-only audit log, newest first. No route edits or deletes an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    /// Who did it.
    pub actor: AuditActor,
    pub action: AuditAction,
    /// What it concerned (the member, the device, the setting), in words.
    #[serde(default)]
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_requests_are_the_visitor_rights_and_nothing_else() {
        let requests: Vec<AuditAction> = AuditAction::ALL.into_iter().filter(|a| a.is_data_request()).collect();
        assert_eq!(requests.len(), 7);
        assert!(requests.contains(&AuditAction::DataErased));
        assert!(!AuditAction::RetentionDeleted.is_data_request(), "retention is not a request");
        assert!(!AuditAction::ConsentLogExported.is_data_request());
    }

    #[test]
    fn every_audit_action_is_listed_once() {
        // No wildcard: a new variant does not compile until it gets its place here, and with
        // `Unknown` last the length check below then fails until ALL lists it too.
        let place = |action: AuditAction| match action {
            AuditAction::SignIn => 0,
            AuditAction::SignInFailed => 1,
            AuditAction::LockedOut => 2,
            AuditAction::InviteCreated => 3,
            AuditAction::InviteAccepted => 4,
            AuditAction::RoleChanged => 5,
            AuditAction::MemberRemoved => 6,
            AuditAction::SettingsChanged => 7,
            AuditAction::ConsentSettingsChanged => 8,
            AuditAction::ConsentLogExported => 9,
            AuditAction::AuditLogExported => 10,
            AuditAction::IdentityRefused => 11,
            AuditAction::IdentitySecretRotated => 12,
            AuditAction::DataExported => 13,
            AuditAction::DataCorrected => 14,
            AuditAction::DataErased => 15,
            AuditAction::ProcessingRestricted => 16,
            AuditAction::ProcessingResumed => 17,
            AuditAction::AnalyticsObjected => 18,
            AuditAction::AnalyticsObjectionWithdrawn => 19,
            AuditAction::RetentionDeleted => 20,
            AuditAction::RateLimited => 21,
            AuditAction::VisitorBlocked => 22,
            AuditAction::VisitorUnblocked => 23,
            AuditAction::Billing => 24,
            AuditAction::Api => 25,
            AuditAction::Unknown => 26,
        };
        assert_eq!(AuditAction::ALL.len(), place(AuditAction::Unknown) + 1, "\"Other\" stays last");
        for (i, &action) in AuditAction::ALL.iter().enumerate() {
            assert_eq!(place(action), i, "{action:?} is listed once, in its place");
        }
    }

    #[test]
    fn actors_keep_the_wire_strings_entries_were_stored_with() {
        let cases = [
            ("\"visitor\"", AuditActor::Visitor),
            ("\"site\"", AuditActor::Site),
            ("\"retention\"", AuditActor::Retention),
            ("\"ada@shop.example\"", AuditActor::Agent(Email::parse("ada@shop.example").expect("valid"))),
            ("\"system\"", AuditActor::Other("system".into())),
            // Not in an address's normal form: kept exactly as written rather than lower-cased.
            ("\"Ada@Shop.example\"", AuditActor::Other("Ada@Shop.example".into())),
        ];
        for (json, actor) in cases {
            assert_eq!(serde_json::from_str::<AuditActor>(json).expect("parses"), actor, "{json}");
            assert_eq!(serde_json::to_string(&actor).expect("serialises"), json);
        }
        let entry: AuditEntry =
            serde_json::from_str(r#"{"at":5,"actor":"visitor","action":"data_exported"}"#).expect("an old entry");
        assert_eq!(entry.actor, AuditActor::Visitor);
        assert_eq!(entry.actor.to_string(), "visitor");
        let email = Email::parse("lea@closing.example").expect("valid");
        assert_eq!(AuditActor::from(&email).as_str(), "lea@closing.example");
    }
}
