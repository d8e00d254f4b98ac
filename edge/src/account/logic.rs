//! What an account decides: who may sign in, which sessions live, what the security log says,
//! and when a closed account is deleted. Pure over [`AccountStore`] (SQLite in the object, memory
//! in tests), with the clock passed in as `now` (ms) and the costly or random parts behind [`Keys`].

mod links;
mod sessions;

pub use links::{Purpose, StoredLink, RESET_TTL_MS, VERIFY_TTL_MS};
pub use sessions::session_id;
#[cfg(test)]
mod tests;

use super::{Create, Origin, Secret, SignIn, Upsert, SESSION_TTL_MS};
use crate::error::{EdgeError, EdgeResult};
use crate::lockout::Lockout;
use crate::settings::{bounded, Membership, NewAccount, MAX_NAME_CHARS, MIN_PASSWORD_CHARS};
use crate::workspace::MemberPrefs;
use shared::api::{NotifyWhen, SecurityEvent, SecurityEventKind};
use shared::privacy::Closing;
use shared::SiteId;

/// A session's "last seen" is refreshed at most this often (a write per request would not pay).
pub const LAST_SEEN_EVERY_MS: i64 = 5 * 60 * 1000;
/// How many security events the account keeps.
pub const SECURITY_LOG_KEEP: usize = 500;
/// How many security events the account shows.
pub const SECURITY_LOG_SHOWN: usize = 200;

/// The account itself, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// When the address was confirmed (by its mailed link, a password reset, or the operator).
    pub verified_at: Option<i64>,
    /// When the agent is emailed about waiting visitors.
    pub notify: NotifyWhen,
}

/// A session, as stored: the hash of its secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub secret_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub device: Option<String>,
    pub country: Option<String>,
    /// Absent for sessions opened before it was recorded.
    pub last_seen_at: Option<i64>,
}

/// Everything an account keeps. Writes are plain: the decisions are made in this module.
pub trait AccountStore {
    fn account(&self) -> EdgeResult<Option<StoredAccount>>;
    fn save_account(&mut self, account: &StoredAccount) -> EdgeResult<()>;
    fn memberships(&self) -> EdgeResult<Vec<Membership>>;
    /// Inserts or replaces the membership of `membership.site`.
    fn save_membership(&mut self, membership: &Membership) -> EdgeResult<()>;
    fn remove_membership(&mut self, site: &SiteId) -> EdgeResult<()>;
    /// The lockout of one address (by [`lockout_key`]) on this account.
    fn lockout(&self, key: &str) -> EdgeResult<Lockout>;
    fn save_lockout(&mut self, key: &str, lockout: &Lockout, at: i64) -> EdgeResult<()>;
    /// Forgets lockouts last touched before `at` (their addresses gave up long ago).
    fn prune_lockouts(&mut self, before: i64) -> EdgeResult<()>;
    fn session(&self, secret_hash: &str) -> EdgeResult<Option<StoredSession>>;
    /// Every stored session, expired ones included.
    fn sessions(&self) -> EdgeResult<Vec<StoredSession>>;
    fn insert_session(&mut self, session: &StoredSession) -> EdgeResult<()>;
    fn touch_session(&mut self, secret_hash: &str, at: i64) -> EdgeResult<()>;
    fn delete_session(&mut self, secret_hash: &str) -> EdgeResult<()>;
    /// Deletes every session but `keep` (all of them for `None`).
    fn delete_sessions_except(&mut self, keep: Option<&str>) -> EdgeResult<()>;
    /// Whether any device was recorded.
    fn has_devices(&self) -> EdgeResult<bool>;
    /// Records a device; `true` the first time it is seen.
    fn remember_device(&mut self, device: &str) -> EdgeResult<bool>;
    fn append_event(&mut self, event: &SecurityEvent) -> EdgeResult<()>;
    /// Forgets all but the newest `keep` events.
    fn trim_events(&mut self, keep: usize) -> EdgeResult<()>;
    /// The newest `limit` events, newest first.
    fn events(&self, limit: usize) -> EdgeResult<Vec<SecurityEvent>>;
    /// The live link of `purpose`, if any.
    fn link(&self, purpose: Purpose) -> EdgeResult<Option<StoredLink>>;
    /// Replaces (or, with `None`, removes) the link of `purpose`.
    fn save_link(&mut self, purpose: Purpose, link: Option<&StoredLink>) -> EdgeResult<()>;
    /// Forgets every address's lockout (after a password reset).
    fn clear_lockouts(&mut self) -> EdgeResult<()>;
}

/// Password hashing and session secrets: Argon2 and the system's randomness in the object,
/// cheap and predictable stand-ins in tests.
pub trait Keys {
    fn hash(&self, password: &str) -> EdgeResult<String>;
    fn verify(&self, password: &str, hash: &str) -> bool;
    fn token(&self) -> EdgeResult<String>;
}

/// The real [`Keys`].
pub struct Argon2Keys;

impl Keys for Argon2Keys {
    fn hash(&self, password: &str) -> EdgeResult<String> {
        crate::auth::hash_password(password)
    }
    fn verify(&self, password: &str, hash: &str) -> bool {
        crate::auth::verify_password(password, hash)
    }
    fn token(&self) -> EdgeResult<String> {
        crate::auth::random_token(32)
    }
}

/// What the glue does beyond the store, for a closing account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Remember when the account is deleted (kept apart from the tables: sign-ins and a second
    /// close are refused until then).
    RememberClosing { deleted_at: i64 },
    /// Wake the object at `at` (ms since the epoch).
    SetAlarm { at: i64 },
    /// Delete everything the object keeps, and recreate the empty tables: the email is free again.
    DeleteEverything,
    /// These sessions (public ids) ended: every workspace of the account closes their sockets.
    SessionsEnded(Vec<String>),
}

/// One request's view of an account: its store, its keys and the time.
pub struct Account<'a, S: AccountStore, K: Keys> {
    pub store: &'a mut S,
    pub keys: &'a K,
    pub now: i64,
}

impl<S: AccountStore, K: Keys> Account<'_, S, K> {
    /// Operator seeding: writes the account whether or not it exists, and adds a membership.
    /// The operator vouches for the address: it counts as confirmed.
    pub fn upsert(&mut self, request: &Upsert) -> EdgeResult<()> {
        let verified_at = self.store.account()?.and_then(|a| a.verified_at).unwrap_or(self.now);
        self.write_account(&request.account, Some(verified_at))?;
        self.store.save_membership(&request.membership)
    }

    /// A new account, signed in at once; refused if the email has one (even one being closed).
    pub fn create(&mut self, request: &Create) -> EdgeResult<Secret> {
        if self.store.account()?.is_some() {
            return Err(EdgeError::Conflict("an account with this email exists; sign in instead".into()));
        }
        self.write_account(&request.account, None)?;
        self.open_session(&request.origin)
    }

    /// `closing`: when a closed account is deleted, if it is closing.
    pub fn sign_in(&mut self, request: &SignIn, closing: Option<i64>) -> EdgeResult<Secret> {
        refuse_closing(closing)?;
        self.check_password(&request.password, &request.origin)?;
        self.open_session(&request.origin)
    }

    /// Closes the account: confirmed by the password, every session ends at once, and the
    /// deletion is scheduled `grace_ms` from now.
    pub fn close(
        &mut self,
        password: &str,
        origin: &Origin,
        closing: Option<i64>,
        grace_ms: i64,
    ) -> EdgeResult<(Closing, Vec<Effect>)> {
        refuse_closing(closing)?;
        self.check_password(password, origin)?;
        let deleted_at = self.now + grace_ms;
        let ended = self.end_sessions_except(None)?;
        let effects = vec![
            Effect::RememberClosing { deleted_at },
            Effect::SetAlarm { at: deleted_at },
            Effect::SessionsEnded(ended),
        ];
        Ok((Closing { deleted_at }, effects))
    }

    /// Adds (or replaces) a membership of an existing account only: a late call for an account
    /// already deleted would otherwise hand the workspace to whoever next signs up with the email.
    pub fn add_membership(&mut self, membership: &Membership) -> EdgeResult<()> {
        if self.store.account()?.is_none() {
            return Err(EdgeError::NotFound);
        }
        self.store.save_membership(membership)
    }

    pub fn remove_membership(&mut self, site: &SiteId) -> EdgeResult<()> {
        self.store.remove_membership(site)
    }

    /// What every workspace of the account keeps of it for notifications.
    pub fn prefs(&self) -> EdgeResult<Option<MemberPrefs>> {
        Ok(self.store.account()?.map(|a| MemberPrefs { verified: a.verified_at.is_some(), notify: a.notify }))
    }

    /// Sets when the session's agent is emailed about waiting visitors; answers what every
    /// workspace of theirs is to be told.
    pub fn set_notify(&mut self, session: &str, notify: NotifyWhen) -> EdgeResult<MemberPrefs> {
        self.live_session(session)?;
        let mut account = self.store.account()?.ok_or(EdgeError::Unauthorized)?;
        account.notify = notify;
        self.store.save_account(&account)?;
        Ok(MemberPrefs { verified: account.verified_at.is_some(), notify })
    }

    /// A one-click unsubscribe (the link proved the address): no more digests.
    pub fn stop_notify(&mut self) -> EdgeResult<()> {
        let Some(mut account) = self.store.account()? else { return Ok(()) };
        account.notify = NotifyWhen::Never;
        self.store.save_account(&account)
    }

    /// The workspaces this account belongs to.
    pub fn sites(&self) -> EdgeResult<Vec<SiteId>> {
        Ok(self.store.memberships()?.into_iter().map(|m| m.site).collect())
    }

    fn write_account(&mut self, account: &NewAccount, verified_at: Option<i64>) -> EdgeResult<()> {
        check_password_rules(&account.password)?;
        let name = bounded("your name", &account.name, MAX_NAME_CHARS)?;
        let password_hash = self.keys.hash(&account.password)?;
        let email = account.email.as_str().to_owned();
        let notify = self.store.account()?.map(|a| a.notify).unwrap_or_default();
        self.store.save_account(&StoredAccount { email, name, password_hash, verified_at, notify })
    }

    /// Checks a password against the account, with the lockout: repeated failures lock the
    /// account for a while, unknown accounts included, and an unknown account costs the same
    /// hashing work as a wrong password, so neither timing nor answers tell which emails exist.
    fn check_password(&mut self, password: &str, origin: &Origin) -> EdgeResult<()> {
        let key = lockout_key(origin);
        let mut lockout = self.store.lockout(&key)?;
        if let Err(ms) = lockout.check(self.now) {
            return Err(EdgeError::LockedOut { retry_after_s: (ms + 999) / 1000 });
        }
        let account = self.store.account()?;
        let ok = match &account {
            Some(account) => self.keys.verify(password, &account.password_hash),
            None => {
                let _ = self.keys.hash(password);
                false
            }
        };
        if !ok {
            let locked = lockout.failed(self.now);
            self.store.prune_lockouts(self.now - LOCKOUT_KEPT_MS)?;
            self.store.save_lockout(&key, &lockout, self.now)?;
            // An unknown email has no log to write to (and creating one would say it was tried).
            if account.is_some() {
                self.log(SecurityEventKind::SignInFailed, &describe(origin))?;
                if locked {
                    self.log(SecurityEventKind::LockedOut, &describe(origin))?;
                }
            }
            return Err(EdgeError::InvalidCredentials);
        }
        if lockout != Lockout::default() {
            lockout.succeeded();
            self.store.save_lockout(&key, &lockout, self.now)?;
        }
        Ok(())
    }

    fn log(&mut self, kind: SecurityEventKind, detail: &str) -> EdgeResult<()> {
        self.store.append_event(&SecurityEvent { at: self.now, kind, detail: detail.to_owned() })?;
        self.store.trim_events(SECURITY_LOG_KEEP)
    }

    fn open_session(&mut self, origin: &Origin) -> EdgeResult<Secret> {
        // A browser and system this account has not signed in from before is worth a line of its
        // own, and (on a sign-in) a mail to the account's address.
        let first = !self.store.has_devices()?;
        let new_device = self.store.remember_device(&origin.device)?;
        if new_device {
            self.log(SecurityEventKind::NewDevice, &describe(origin))?;
        }
        self.log(SecurityEventKind::SignIn, &describe(origin))?;
        let secret = self.keys.token()?;
        self.store.insert_session(&StoredSession {
            secret_hash: crate::auth::sha256_hex(&secret),
            created_at: self.now,
            expires_at: self.now + SESSION_TTL_MS,
            device: Some(origin.device.clone()),
            country: origin.country.clone(),
            last_seen_at: Some(self.now),
        })?;
        // The account's very first device is nobody's stranger: no alert for it.
        Ok(Secret { secret, new_device: new_device && !first })
    }
}

/// The deletion alarm: everything goes once the grace period is over. An alarm that comes early
/// deletes nothing and wakes the object again when it is due.
pub fn alarm(closing: Option<i64>, now: i64) -> Vec<Effect> {
    match closing {
        Some(at) if at <= now => vec![Effect::DeleteEverything],
        Some(at) => vec![Effect::SetAlarm { at }],
        None => vec![],
    }
}

/// How long an address's failures are remembered after its last one.
const LOCKOUT_KEPT_MS: i64 = 24 * 3600 * 1000;

/// Lockouts are per address and account: failures from one address lock that address out of
/// this account, never the owner signing in from elsewhere (or changing their password from a
/// signed-in session, which is its own "address"). Guessing across addresses is held back by the
/// per-address sign-in limit at the router and by Argon2's cost.
pub fn lockout_key(origin: &Origin) -> String {
    let address = origin.address.as_deref().unwrap_or("unknown");
    crate::auth::sha256_hex(address)[..16].to_owned()
}

fn check_password_rules(password: &str) -> EdgeResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(EdgeError::Invalid(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// The security log's note on how many sessions a change ended.
fn end_note(ended: usize) -> String {
    match ended {
        1 => "1 session signed out".into(),
        n => format!("{n} sessions signed out"),
    }
}

fn refuse_closing(closing: Option<i64>) -> EdgeResult<()> {
    match closing {
        Some(_) => Err(EdgeError::Conflict("this account was closed and is being deleted".into())),
        None => Ok(()),
    }
}

fn describe(origin: &Origin) -> String {
    match &origin.country {
        Some(c) => format!("{} · {c}", origin.device),
        None => origin.device.clone(),
    }
}
