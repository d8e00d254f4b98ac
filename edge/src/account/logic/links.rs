//! The account's mailed links: a password reset (single-use, short-lived) and the confirmation
//! of the address. The account keeps only the SHA-256 of a link's secret, one live link per
//! purpose: asking again replaces the previous link.

use super::{end_note, Account, AccountStore, Keys};
use crate::auth::sha256_hex;
use crate::error::{EdgeError, EdgeResult};
use shared::api::SecurityEventKind;

/// How long a reset link works.
pub const RESET_TTL_MS: i64 = 30 * 60 * 1000;
/// How long an address confirmation link works.
pub const VERIFY_TTL_MS: i64 = 24 * 3600 * 1000;

/// What a link is for (its row in the account's `links` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Reset,
    Verify,
}

impl Purpose {
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Verify => "verify",
        }
    }
}

/// A live link, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    pub secret_hash: String,
    pub expires_at: i64,
}

impl<S: AccountStore, K: Keys> Account<'_, S, K> {
    /// A new reset link's secret, or `None` when there is no account to reset (or it is being
    /// deleted): the route answers the same either way, so nobody learns which emails exist.
    pub fn request_reset(&mut self, closing: Option<i64>) -> EdgeResult<Option<String>> {
        if closing.is_some() || self.store.account()?.is_none() {
            return Ok(None);
        }
        let secret = self.new_link(Purpose::Reset, RESET_TTL_MS)?;
        self.log(SecurityEventKind::PasswordResetRequested, "")?;
        Ok(Some(secret))
    }

    /// Sets a new password with a reset link's secret. The link works once; every session ends
    /// (whoever took over the account is signed out) and the address's sign-in lockout is lifted.
    /// Answers the public ids of the sessions that ended.
    pub fn reset_password(&mut self, secret: &str, password: &str, closing: Option<i64>) -> EdgeResult<Vec<String>> {
        if closing.is_some() {
            return Err(EdgeError::LinkExpired);
        }
        self.live_link(Purpose::Reset, secret)?;
        let mut account = self.store.account()?.ok_or(EdgeError::LinkExpired)?;
        super::check_password_rules(password)?;
        account.password_hash = self.keys.hash(password)?;
        // Only the person who can read the mail could use it: the address is confirmed too.
        account.verified_at.get_or_insert(self.now);
        self.store.save_account(&account)?;
        self.store.save_link(Purpose::Reset, None)?;
        let ended = self.end_sessions_except(None)?;
        self.store.clear_lockouts()?;
        self.log(SecurityEventKind::PasswordReset, &end_note(ended.len()))?;
        Ok(ended)
    }

    /// A new confirmation link's secret for the session `session`'s account, or `None` when the
    /// address is confirmed already.
    pub fn request_verification(&mut self, session: &str) -> EdgeResult<Option<String>> {
        self.live_session(session)?;
        match self.store.account()? {
            Some(account) if account.verified_at.is_none() => Ok(Some(self.new_link(Purpose::Verify, VERIFY_TTL_MS)?)),
            _ => Ok(None),
        }
    }

    /// Confirms the address with the link's secret (once; a used or expired link is refused).
    pub fn verify_email(&mut self, secret: &str) -> EdgeResult<()> {
        self.live_link(Purpose::Verify, secret)?;
        let mut account = self.store.account()?.ok_or(EdgeError::LinkExpired)?;
        account.verified_at = Some(self.now);
        self.store.save_account(&account)?;
        self.store.save_link(Purpose::Verify, None)?;
        self.log(SecurityEventKind::EmailVerified, "")
    }

    fn new_link(&mut self, purpose: Purpose, ttl_ms: i64) -> EdgeResult<String> {
        let secret = self.keys.token()?;
        let link = StoredLink { secret_hash: sha256_hex(&secret), expires_at: self.now + ttl_ms };
        self.store.save_link(purpose, Some(&link))?;
        Ok(secret)
    }

    fn live_link(&self, purpose: Purpose, secret: &str) -> EdgeResult<StoredLink> {
        self.store
            .link(purpose)?
            .filter(|l| l.expires_at > self.now && l.secret_hash == sha256_hex(secret))
            .ok_or(EdgeError::LinkExpired)
    }
}
