//! The account Durable Object (one per agent email): password hash, workspace memberships,
//! sessions (stored only as SHA-256 hashes of their secrets), sign-in lockout, the account's
//! security log, and closing the account.
//!
//! `logic` decides over a storage trait (`cargo test -p edge` runs its tests natively);
//! `store` keeps it in SQLite and `object` is the `worker` glue, both compiled for wasm32 only.

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Account;

use crate::error::{EdgeError, EdgeResult};
use crate::settings::{Membership, NewAccount};
use serde::{Deserialize, Serialize};
use shared::api::{Me, SecurityEvent, SessionInfo};
use shared::privacy::Closing;
use shared::{Email, SiteId};

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// Where a request comes from, for the session list and the security log.
#[derive(Debug, Serialize, Deserialize, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub device: String,
    pub country: Option<String>,
    /// The address the request came from: only the key of its sign-in lockout (hashed), so a
    /// stranger guessing from elsewhere cannot lock the account's owner out. Never stored as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A new session's secret, given once: the account keeps only its hash.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct Secret {
    pub secret: String,
    /// Whether the session was opened from a device the account had not used before (its very
    /// first one excepted): worth a mail to the account's address.
    #[serde(default)]
    pub new_device: bool,
}

/// A mailed link's token: the account's email (base64url, so the router knows which account to
/// ask) and the link's secret.
pub fn link_token(email: &Email, secret: &str) -> String {
    use base64::Engine;
    format!("{}.{secret}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(email.as_str()))
}

/// The email and secret of a [`link_token`]; anything else is an expired link.
pub fn parse_link_token(token: &str) -> EdgeResult<(Email, String)> {
    use base64::Engine;
    let (email, secret) = token.trim().split_once('.').ok_or(EdgeError::LinkExpired)?;
    let email = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(email).map_err(|_| EdgeError::LinkExpired)?;
    let email = String::from_utf8(email).map_err(|_| EdgeError::LinkExpired)?;
    let email = Email::parse(&email).map_err(|_| EdgeError::LinkExpired)?;
    if secret.is_empty() {
        return Err(EdgeError::LinkExpired);
    }
    Ok((email, secret.to_owned()))
}

crate::requests! {
    /// What an account object is asked. Requests carrying `secret` act for the session it opens
    /// and fail with `Unauthorized` when that session is unknown or expired.
    pub enum AccountRequest handled by AccountCalls {
        /// Operator seeding: create or update the account and add a membership.
        upsert: Upsert { account: NewAccount, membership: Membership } -> ();
        /// A new account (refused if the email has one), signed in at once.
        create: Create { account: NewAccount, origin: Origin } -> Secret;
        /// Opens a session for the right password; refused while locked out or closing.
        sign_in: SignIn { password: String, origin: Origin } -> Secret;
        /// Closes the account (its password confirms it): every session ends, and everything is
        /// deleted after the grace period.
        close: Close { password: String, origin: Origin } -> Closing;
        /// Who the session's agent is, with their workspaces.
        session: Session { secret: String } -> Me;
        /// Ends this one session.
        sign_out: SignOut { secret: String } -> ();
        /// The account's live sessions, the current one marked.
        sessions: Sessions { secret: String } -> Vec<SessionInfo>;
        /// Ends another session of the account, by its public id.
        revoke: Revoke { secret: String, id: String } -> ();
        /// Changes the password (the current one confirms it) and ends every other session.
        change_password: ChangePassword { secret: String, current: String, new: String } -> ();
        /// The newest security events, newest first.
        security_log: SecurityLog { secret: String } -> Vec<SecurityEvent>;
        /// The workspaces this account belongs to, for their audit logs (no session needed: the
        /// router asks after a failed sign-in; the answer never leaves the edge).
        sites: Sites {} -> Vec<SiteId>;
        /// Adds a membership, or replaces the one for the same workspace.
        add_membership: AddMembership { membership: Membership } -> ();
        /// Removes the membership of a workspace (none is fine).
        remove_membership: RemoveMembership { site: SiteId } -> ();
        /// A new password reset link's secret, if the account exists (the router answers the
        /// same either way, and mails the link after answering).
        request_reset: RequestReset {} -> Option<String>;
        /// Sets a new password with a reset link's secret; every session ends.
        reset_password: ResetPassword { link: String, password: String } -> ();
        /// A new address confirmation link's secret, unless the address is confirmed.
        request_verification: RequestVerification { secret: String } -> Option<String>;
        /// Confirms the address with its link's secret.
        verify_email: VerifyEmail { link: String } -> ();
        /// Sets when the agent is emailed about waiting visitors (every workspace is told).
        set_notify: SetNotify { secret: String, notify: shared::api::NotifyWhen } -> ();
        /// A one-click unsubscribe from a digest (no session: its signed link is the proof).
        unsubscribe: Unsubscribe {} -> ();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_token_names_its_account_and_nothing_else_parses() {
        let email = Email::parse("ana.b+x@example.com").unwrap();
        let token = link_token(&email, "s3cr3t-_");
        assert_eq!(parse_link_token(&token).unwrap(), (email, "s3cr3t-_".to_owned()));
        for bad in ["", "nodot", ".secret", "bm90IGFuIGVtYWls.secret", "YW5hQGV4YW1wbGUuY29t.", "%%%.x"] {
            assert!(matches!(parse_link_token(bad), Err(EdgeError::LinkExpired)), "{bad}");
        }
    }
}
