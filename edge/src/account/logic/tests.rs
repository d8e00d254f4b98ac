//! The account's decisions, over an in-memory store and predictable keys.

mod closing;
mod links;
mod sessions;
mod sign_in;

use super::*;
use crate::account::{Create, Origin, Secret, SignIn};
use crate::settings::{Membership, NewAccount};
use shared::api::{Role, SecurityEvent, SecurityEventKind};
use shared::{Email, SiteId};
use std::cell::Cell;
use std::collections::BTreeMap;

/// Everything an account keeps, as plain fields, plus the closing date the object keeps apart.
#[derive(Default, Clone)]
pub struct Memory {
    pub account: Option<StoredAccount>,
    pub memberships: BTreeMap<String, Membership>,
    /// By lockout key: the lockout and when it was last written.
    pub lockouts: BTreeMap<String, (Lockout, i64)>,
    pub sessions: Vec<StoredSession>,
    pub devices: Vec<String>,
    pub events: Vec<SecurityEvent>,
    pub links: BTreeMap<&'static str, StoredLink>,
    pub closing: Option<i64>,
    pub alarm: Option<i64>,
    /// Sessions the glue was told to end everywhere.
    pub ended: Vec<String>,
}

impl AccountStore for Memory {
    fn account(&self) -> EdgeResult<Option<StoredAccount>> {
        Ok(self.account.clone())
    }
    fn save_account(&mut self, account: &StoredAccount) -> EdgeResult<()> {
        self.account = Some(account.clone());
        Ok(())
    }
    fn memberships(&self) -> EdgeResult<Vec<Membership>> {
        Ok(self.memberships.values().cloned().collect())
    }
    fn save_membership(&mut self, membership: &Membership) -> EdgeResult<()> {
        self.memberships.insert(membership.site.as_str().to_owned(), membership.clone());
        Ok(())
    }
    fn remove_membership(&mut self, site: &SiteId) -> EdgeResult<()> {
        self.memberships.remove(site.as_str());
        Ok(())
    }
    fn lockout(&self, key: &str) -> EdgeResult<Lockout> {
        Ok(self.lockouts.get(key).map(|(l, _)| *l).unwrap_or_default())
    }
    fn save_lockout(&mut self, key: &str, lockout: &Lockout, at: i64) -> EdgeResult<()> {
        self.lockouts.insert(key.to_owned(), (*lockout, at));
        Ok(())
    }
    fn prune_lockouts(&mut self, before: i64) -> EdgeResult<()> {
        self.lockouts.retain(|_, (_, at)| *at >= before);
        Ok(())
    }
    fn session(&self, secret_hash: &str) -> EdgeResult<Option<StoredSession>> {
        Ok(self.sessions.iter().find(|s| s.secret_hash == secret_hash).cloned())
    }
    fn sessions(&self) -> EdgeResult<Vec<StoredSession>> {
        Ok(self.sessions.clone())
    }
    fn insert_session(&mut self, session: &StoredSession) -> EdgeResult<()> {
        assert!(self.session(&session.secret_hash)?.is_none(), "a session secret is never reused");
        self.sessions.push(session.clone());
        Ok(())
    }
    fn touch_session(&mut self, secret_hash: &str, at: i64) -> EdgeResult<()> {
        self.sessions.iter_mut().filter(|s| s.secret_hash == secret_hash).for_each(|s| s.last_seen_at = Some(at));
        Ok(())
    }
    fn delete_session(&mut self, secret_hash: &str) -> EdgeResult<()> {
        self.sessions.retain(|s| s.secret_hash != secret_hash);
        Ok(())
    }
    fn delete_sessions_except(&mut self, keep: Option<&str>) -> EdgeResult<()> {
        self.sessions.retain(|s| Some(s.secret_hash.as_str()) == keep);
        Ok(())
    }
    fn has_devices(&self) -> EdgeResult<bool> {
        Ok(!self.devices.is_empty())
    }
    fn remember_device(&mut self, device: &str) -> EdgeResult<bool> {
        let new = !self.devices.iter().any(|d| d == device);
        if new {
            self.devices.push(device.to_owned());
        }
        Ok(new)
    }
    fn append_event(&mut self, event: &SecurityEvent) -> EdgeResult<()> {
        self.events.push(event.clone());
        Ok(())
    }
    fn trim_events(&mut self, keep: usize) -> EdgeResult<()> {
        let extra = self.events.len().saturating_sub(keep);
        self.events.drain(..extra);
        Ok(())
    }
    fn events(&self, limit: usize) -> EdgeResult<Vec<SecurityEvent>> {
        Ok(self.events.iter().rev().take(limit).cloned().collect())
    }
    fn link(&self, purpose: Purpose) -> EdgeResult<Option<StoredLink>> {
        Ok(self.links.get(purpose.name()).cloned())
    }
    fn save_link(&mut self, purpose: Purpose, link: Option<&StoredLink>) -> EdgeResult<()> {
        match link {
            Some(l) => self.links.insert(purpose.name(), l.clone()),
            None => self.links.remove(purpose.name()),
        };
        Ok(())
    }
    fn clear_lockouts(&mut self) -> EdgeResult<()> {
        self.lockouts.clear();
        Ok(())
    }
}

impl Memory {
    /// Does what the glue does with effects.
    pub fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::RememberClosing { deleted_at } => self.closing = Some(deleted_at),
                Effect::SetAlarm { at } => self.alarm = Some(at),
                Effect::DeleteEverything => *self = Memory::default(),
                Effect::SessionsEnded(ids) => self.ended.extend(ids),
            }
        }
    }

    pub fn kinds(&self) -> Vec<SecurityEventKind> {
        self.events.iter().map(|e| e.kind).collect()
    }
}

/// Hashes that show their password, and secrets counted up: cheap and predictable.
#[derive(Default)]
pub struct FakeKeys {
    issued: Cell<u32>,
    pub hashed: Cell<u32>,
}

impl Keys for FakeKeys {
    fn hash(&self, password: &str) -> EdgeResult<String> {
        self.hashed.set(self.hashed.get() + 1);
        Ok(format!("hashed:{password}"))
    }
    fn verify(&self, password: &str, hash: &str) -> bool {
        hash == format!("hashed:{password}")
    }
    fn token(&self) -> EdgeResult<String> {
        self.issued.set(self.issued.get() + 1);
        Ok(format!("secret-{}", self.issued.get()))
    }
}

pub const EMAIL: &str = "ada@example.com";
pub const PASSWORD: &str = "correct horse";

pub fn origin(device: &str) -> Origin {
    Origin { device: device.to_owned(), country: Some("FR".into()), address: None }
}

impl Memory {
    /// The lockout of requests without an address (the tests' default).
    pub fn lockout(&self) -> Lockout {
        AccountStore::lockout(self, &super::lockout_key(&origin(""))).unwrap()
    }
}

pub fn new_account(name: &str, password: &str) -> NewAccount {
    NewAccount { email: Email::parse(EMAIL).unwrap(), name: name.to_owned(), password: password.to_owned() }
}

pub fn membership(site: &str, name: &str, role: Role) -> Membership {
    Membership { site: SiteId::parse(site).unwrap(), name: name.to_owned(), role }
}

/// A store and keys, and the account as seen at one moment.
#[derive(Default)]
pub struct World {
    pub store: Memory,
    pub keys: FakeKeys,
}

impl World {
    pub fn at(&mut self, now: i64) -> Account<'_, Memory, FakeKeys> {
        Account { store: &mut self.store, keys: &self.keys, now }
    }

    /// A world with Ada's account, created from "Firefox on Linux" at `now`.
    pub fn with_account(now: i64) -> (World, Secret) {
        let mut world = World::default();
        let create = Create { account: new_account("Ada", PASSWORD), origin: origin("Firefox on Linux") };
        let secret = world.at(now).create(&create).unwrap();
        (world, secret)
    }

    pub fn sign_in(&mut self, password: &str, device: &str, now: i64) -> EdgeResult<Secret> {
        let closing = self.store.closing;
        self.at(now).sign_in(&SignIn { password: password.to_owned(), origin: origin(device) }, closing)
    }
}
