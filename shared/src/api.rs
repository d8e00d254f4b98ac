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
    /// The browser's language, time zone and screen class (stored only with analytics consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<crate::visitor::VisitorContext>,
    /// Start a new conversation as the same visitor (the earlier ones stay on their profile).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_conversation: bool,
    /// The page's language, then the browser's, as tags (`de-AT,de,en`): the chat speaks the
    /// first the banner speaks, unless the site fixes one. Used, never stored.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lang: String,
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
    /// Whether an agent is available now (someone online, within business hours).
    #[serde(default)]
    pub online: bool,
    /// Shown instead of the greeting when nobody is available.
    #[serde(default)]
    pub offline_message: String,
    #[serde(default)]
    pub prechat: PrechatMode,
    /// `#rrggbb` accent colour.
    #[serde(default)]
    pub color: String,
    /// Whether the visitor already gave their name or email (the pre-chat form is not shown again).
    #[serde(default)]
    pub contact_known: bool,
    /// The language the chat speaks (its labels', the greeting's, the mail the visitor asks for).
    #[serde(default = "english")]
    pub lang: crate::consent::Lang,
    /// The chat panel's words in `lang`, as a list in [`ChatLabels::all`]'s order (the widget's
    /// decoder then carries no field names).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::chat_labels::as_list")]
    pub labels: Option<crate::chat_labels::Texts>,
}

fn english() -> crate::consent::Lang {
    crate::consent::Lang::En
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
    /// Whether the agent confirmed their address (the link mailed at sign-up). Notifications go
    /// only to confirmed addresses.
    #[serde(default)]
    pub email_verified: bool,
    /// When the agent is emailed about visitors waiting for an answer (every workspace of theirs).
    #[serde(default)]
    pub notify: NotifyWhen,
    /// Whether this deployment bills (owners then have a billing page).
    #[serde(default)]
    pub billing: bool,
}

/// When an agent is emailed about visitor messages nobody has answered: a digest per workspace,
/// at most one every few minutes, never one mail per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyWhen {
    Never,
    /// While no agent of the workspace is available (a minute after the message).
    #[default]
    Away,
    /// When a message has waited this long, whoever is online.
    After5,
    After15,
    After60,
}

impl NotifyWhen {
    pub const ALL: [NotifyWhen; 5] =
        [NotifyWhen::Never, NotifyWhen::Away, NotifyWhen::After5, NotifyWhen::After15, NotifyWhen::After60];

    /// The wire name (as serde writes it).
    pub fn name(self) -> &'static str {
        match self {
            NotifyWhen::Never => "never",
            NotifyWhen::Away => "away",
            NotifyWhen::After5 => "after5",
            NotifyWhen::After15 => "after15",
            NotifyWhen::After60 => "after60",
        }
    }

    /// The value of a wire name.
    pub fn from_name(name: &str) -> Option<NotifyWhen> {
        NotifyWhen::ALL.into_iter().find(|w| w.name() == name)
    }

    /// How long a visitor message waits before it is mailed about (ms); `None` for never.
    pub fn delay_ms(self) -> Option<i64> {
        match self {
            NotifyWhen::Never => None,
            NotifyWhen::Away => Some(60_000),
            NotifyWhen::After5 => Some(5 * 60_000),
            NotifyWhen::After15 => Some(15 * 60_000),
            NotifyWhen::After60 => Some(60 * 60_000),
        }
    }
}

/// `PUT /api/v1/me/notifications`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyRequest {
    pub notify: NotifyWhen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceRef {
    pub id: SiteId,
    pub name: String,
    pub role: Role,
}

impl WorkspaceRef {
    /// Owners and admins change settings and the team.
    pub fn can_manage(&self) -> bool {
        self.role != Role::Agent
    }
}

/// The body of every HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
    /// For `rate_limited`: when to try again, in seconds (also the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<i64>,
}

/// An agent's role in a workspace. Owners and admins manage settings and the team; agents chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Agent,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Agent => "Agent",
        }
    }
}

/// `POST /api/v1/auth/sign-up`: a new owner account and its first workspace. Answered with
/// [`Me`] and a session cookie, as a sign-in is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpRequest {
    pub name: String,
    pub email: String,
    pub password: String,
    /// Shown to visitors in the widget's header.
    pub workspace_name: String,
    /// The site's address (`shop.example` or `https://shop.example`): the first allowed domain.
    pub website: String,
    /// Where the workspace's data is stored; fixed at creation (it is part of the site id).
    #[serde(default)]
    pub data_region: crate::privacy::DataRegion,
}

/// `PUT /api/v1/workspaces/{site}/visitors/{visitor}/blocked`: an agent blocks or unblocks a
/// visitor from the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockVisitorRequest {
    pub blocked: bool,
}

/// `POST /api/v1/me/password`. Every other session of the account is signed out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current: String,
    pub new: String,
}

/// `GET /api/v1/me/sessions`: one signed-in browser. `DELETE /api/v1/me/sessions/{id}` revokes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Not the secret: a public handle for revoking.
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The browser and system as its user agent names them ("Chrome on Linux").
    pub device: String,
    /// The country the sign-in came from, as the edge saw it.
    #[serde(default)]
    pub country: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

/// `GET /api/v1/me/security`: the account's own security log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    pub at: i64,
    pub kind: SecurityEventKind,
    /// Device and country, where it applies.
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    SignIn,
    /// A sign-in from a device this account had not used before.
    NewDevice,
    SignInFailed,
    LockedOut,
    PasswordChanged,
    SessionRevoked,
    /// A password reset link was mailed (asked for on the sign-in page).
    PasswordResetRequested,
    /// The password was reset by a mailed link; every session ended.
    PasswordReset,
    /// The address was confirmed by its mailed link.
    EmailVerified,
}

/// `POST /api/v1/password-reset`: mails a reset link to an account's address. The answer is the
/// same whether or not the address has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

/// `POST /api/v1/password-reset/complete`: the mailed link's token and the new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPasswordRequest {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/account/verify`: the token of the link mailed at sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyEmailRequest {
    pub token: String,
}

/// `POST /api/v1/workspaces/{site}/invites` (owners and admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInviteRequest {
    /// `admin` or `agent`; nobody is invited as owner.
    pub role: Role,
    /// Where to email the invite; without it, only the link is made (to send privately).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A single-use invite link. Only its creator ever sees `url`; the edge keeps a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub url: String,
    pub role: Role,
    pub expires_at: i64,
}

/// `GET /api/v1/invites/{token}`: what the invite page shows before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub workspace_name: String,
    pub role: Role,
    pub expires_at: i64,
}

/// `POST /api/v1/invites/{token}/accept`. Signed in: joins with that account (the body may be
/// `{}`). Signed out: creates the account from `name`, `email` and `password`, or, if the email
/// has an account, checks `password` and joins with it. Answered with [`Me`] and a session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AcceptInviteRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// `GET /api/v1/workspaces/{site}/members`; `PUT …/members/{email}` with [`ChangeRoleRequest`],
/// `DELETE …/members/{email}` (owners and admins; the owner cannot be removed or demoted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub joined_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRoleRequest {
    pub role: Role,
}

/// Where the launcher sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LauncherPosition {
    #[default]
    Right,
    Left,
}

/// Whether the widget asks for a name and email before the first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrechatMode {
    #[default]
    Off,
    Optional,
    Required,
}

/// Opening hours: on `days` (0 = Monday … 6 = Sunday) from `open` to `close` (minutes after
/// midnight) in `time_zone` (IANA, e.g. `Europe/Berlin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub time_zone: String,
    pub days: Vec<u8>,
    pub open: u16,
    pub close: u16,
}

/// A saved reply, inserted in the composer by typing `/` and its shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub shortcut: String,
    pub text: String,
}

/// `GET`/`PUT /api/v1/workspaces/{site}/settings` (PUT: owners and admins). Consent settings
/// have their own route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    pub name: String,
    pub greeting: String,
    pub allowed_domains: Vec<String>,
    /// `#rrggbb`, the launcher's and the widget's accent colour.
    pub color: String,
    pub position: LauncherPosition,
    /// Shown beside the launcher's icon; empty for the icon alone.
    pub launcher_text: String,
    /// Shown in the widget's header instead of the workspace name when set.
    pub team_name: String,
    /// `None`: always open while an agent is online.
    pub business_hours: Option<BusinessHours>,
    /// Shown when nobody is available; the widget then asks for an email.
    pub offline_message: String,
    pub prechat: PrechatMode,
    /// The widget's fixed language (`en`, `de`, `fr`, `es`), the same as the consent banner's;
    /// `None` follows the page and the visitor's browser.
    pub language: Option<crate::consent::Lang>,
    /// Conversations are deleted this many days after their last message; `None` keeps them.
    pub retention_days: Option<u32>,
    pub canned_responses: Vec<CannedResponse>,
    /// `identify` must carry the HMAC of the user id (see `GET …/identity-secret`).
    #[serde(default)]
    pub identity_verification: bool,
    /// Keep visitors' IP addresses (truncated); off by default.
    #[serde(default)]
    pub store_ip: bool,
    /// Where the workspace's data is stored: read-only, fixed when the workspace was created.
    #[serde(default)]
    pub data_region: crate::privacy::DataRegion,
    /// The greeting and the offline message in the languages the owner wrote them in, for the
    /// visitors the widget speaks that language to; a language without one (or a field left
    /// empty) shows `greeting` and `offline_message`.
    #[serde(default)]
    pub translations: Vec<Greeting>,
}

/// The owner's greeting and offline message in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Greeting {
    pub lang: crate::consent::Lang,
    #[serde(default)]
    pub greeting: String,
    #[serde(default)]
    pub offline_message: String,
}

/// `GET /api/v1/workspaces/{site}/identity-secret` (owners and admins): the key the site's server
/// signs user ids with for `Provixchat.identify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySecret {
    pub secret: String,
}

/// `GET /api/v1/workspaces/{site}/search?q=`: conversations whose messages or visitor match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub conversation_id: ConversationId,
    pub visitor_name: String,
    /// The matching message, shortened; empty when the visitor's name or email matched.
    pub snippet: String,
    pub at: i64,
}

/// How the loader draws the launcher, sent with the site's consent configuration (the one
/// request the loader makes before any WASM loads).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Launcher {
    pub color: String,
    pub position: LauncherPosition,
    pub text: String,
}

pub use crate::audit::{AuditAction, AuditActor, AuditEntry, AuditFilter, AuditPage};
