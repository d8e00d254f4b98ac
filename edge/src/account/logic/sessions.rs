//! What a signed-in session may see and do on its own account.

use super::{describe, Account, AccountStore, Keys, StoredSession, LAST_SEEN_EVERY_MS, SECURITY_LOG_SHOWN};
use crate::account::{ChangePassword, Origin, Revoke};
use crate::auth::sha256_hex;
use crate::error::{EdgeError, EdgeResult};
use crate::settings::NewAccount;
use shared::api::{Me, SecurityEvent, SecurityEventKind, SessionInfo, WorkspaceRef};
use shared::Email;

/// The public handle of a session: a prefix of its secret's hash (which is itself not secret).
pub fn session_id(secret_hash: &str) -> String {
    secret_hash.chars().take(16).collect()
}

impl<S: AccountStore, K: Keys> Account<'_, S, K> {
    /// The live session `secret` opens, its "last seen" refreshed when stale.
    pub(super) fn live_session(&mut self, secret: &str) -> EdgeResult<StoredSession> {
        let session = self
            .store
            .session(&sha256_hex(secret))?
            .filter(|s| s.expires_at > self.now)
            .ok_or(EdgeError::Unauthorized)?;
        if self.now - session.last_seen_at.unwrap_or(0) > LAST_SEEN_EVERY_MS {
            self.store.touch_session(&session.secret_hash, self.now)?;
        }
        Ok(session)
    }

    /// Who the session's agent is, with their workspaces sorted by name.
    pub fn me(&mut self, secret: &str) -> EdgeResult<Me> {
        self.live_session(secret)?;
        let account = self.store.account()?.ok_or(EdgeError::Unauthorized)?;
        let mut memberships = self.store.memberships()?;
        memberships.sort_by(|a, b| a.name.cmp(&b.name));
        let workspaces = memberships.into_iter().map(|m| WorkspaceRef { id: m.site, name: m.name, role: m.role });
        Ok(Me {
            name: account.name,
            email: Email::parse(&account.email)?,
            workspaces: workspaces.collect(),
            email_verified: account.verified_at.is_some(),
            notify: account.notify,
            billing: false,
        })
    }

    /// Ends this session only (an unknown or expired one is already gone: nothing to refuse).
    /// Answers the public ids of the sessions that ended, for their sockets to close.
    pub fn sign_out(&mut self, secret: &str) -> EdgeResult<Vec<String>> {
        let hash = sha256_hex(secret);
        self.store.delete_session(&hash)?;
        Ok(vec![session_id(&hash)])
    }

    /// The live sessions, newest first, the one asking marked `current`.
    pub fn sessions(&mut self, secret: &str) -> EdgeResult<Vec<SessionInfo>> {
        let current = self.live_session(secret)?.secret_hash;
        let mut live: Vec<StoredSession> =
            self.store.sessions()?.into_iter().filter(|s| s.expires_at > self.now).collect();
        live.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(live
            .into_iter()
            .map(|s| SessionInfo {
                id: session_id(&s.secret_hash),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at.unwrap_or(s.created_at),
                device: s.device.unwrap_or_else(|| "Unknown browser".into()),
                country: s.country,
                current: s.secret_hash == current,
            })
            .collect())
    }

    /// Ends another session; the current one ends by signing out. Answers the ended session's id.
    pub fn revoke(&mut self, request: &Revoke) -> EdgeResult<Vec<String>> {
        let current = self.live_session(&request.secret)?.secret_hash;
        if session_id(&current) == request.id {
            return Err(EdgeError::Invalid("sign out to end this session".into()));
        }
        let target = self
            .store
            .sessions()?
            .into_iter()
            .find(|s| session_id(&s.secret_hash) == request.id)
            .ok_or(EdgeError::NotFound)?;
        self.store.delete_session(&target.secret_hash)?;
        self.log(SecurityEventKind::SessionRevoked, target.device.as_deref().unwrap_or_default())?;
        Ok(vec![session_id(&target.secret_hash)])
    }

    /// Changes the password, confirmed by the current one (through the lockout): whoever knew
    /// the old password is signed out everywhere else. Answers the ended sessions' ids.
    pub fn change_password(&mut self, request: &ChangePassword) -> EdgeResult<Vec<String>> {
        let current = self.live_session(&request.secret)?;
        // The signed-in session is its own lockout "address": a stranger's guesses elsewhere do
        // not stop its owner from changing the password.
        let origin = Origin {
            device: current.device.clone().unwrap_or_default(),
            country: current.country.clone(),
            address: Some(format!("session {}", session_id(&current.secret_hash))),
        };
        self.check_password(&request.current, &origin)?;
        let account = self.store.account()?.ok_or(EdgeError::Unauthorized)?;
        let new =
            NewAccount { email: Email::parse(&account.email)?, name: account.name, password: request.new.clone() };
        self.write_account(&new, account.verified_at)?;
        let ended = self.end_sessions_except(Some(&current.secret_hash))?;
        self.log(SecurityEventKind::PasswordChanged, &describe(&origin))?;
        Ok(ended)
    }

    /// Deletes every session but `keep`, answering the public ids of those that ended (expired
    /// ones included: a socket may outlive its session's expiry).
    pub(super) fn end_sessions_except(&mut self, keep: Option<&str>) -> EdgeResult<Vec<String>> {
        let ended = self
            .store
            .sessions()?
            .into_iter()
            .filter(|s| Some(s.secret_hash.as_str()) != keep)
            .map(|s| session_id(&s.secret_hash))
            .collect();
        self.store.delete_sessions_except(keep)?;
        Ok(ended)
    }

    /// The newest security events, newest first.
    pub fn security_log(&mut self, secret: &str) -> EdgeResult<Vec<SecurityEvent>> {
        self.live_session(secret)?;
        self.store.events(SECURITY_LOG_SHOWN)
    }
}
