//! Native tests of the visitor's decisions, over an in-memory store that carries out effects the
//! way the glue does (so "after an erasure" means what it means in the object).

use super::*;
use crate::visitor::Capture;
use shared::consent::{Choices, Decision, Lang, Method};
use shared::visitor::{DeviceInfo, Identity, Location};

mod profile;

/// The object's storage, alarm and outgoing directory calls, in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Memory {
    erased: Option<i64>,
    retention: Option<i64>,
    pub alarm: Option<i64>,
    consents: Vec<ConsentRecord>,
    profile: Option<VisitorProfile>,
    /// Oldest first, as added.
    pages: Vec<PageView>,
    edits: Vec<ContactEdit>,
    conversations: Vec<(ConversationId, i64)>,
    /// What the workspace's directory was told, in order.
    pub directory: Vec<Option<Email>>,
}

impl Memory {
    /// Carries out effects as the glue does, in order.
    pub fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::KeepRetention(ms) => self.retention = ms,
                Effect::SetAlarm(at) => self.alarm = Some(at),
                Effect::DeleteAlarm => self.alarm = None,
                Effect::DeleteAll => {
                    let (alarm, directory) = (self.alarm, std::mem::take(&mut self.directory));
                    *self = Memory { alarm, directory, ..Memory::default() };
                }
                Effect::Tombstone(at) => self.erased = Some(at),
                Effect::TellDirectory(email) => self.directory.push(email),
            }
        }
    }
}

impl Memory {
    /// The alarm, with the retention period this visitor keeps, as the glue reads it.
    fn expire(&mut self, now: i64) -> EdgeResult<Vec<Effect>> {
        let retention = self.retention;
        expire(self, retention, now)
    }
}

impl VisitorStore for Memory {
    fn erased(&self) -> Option<i64> {
        self.erased
    }
    fn consents(&self) -> EdgeResult<Vec<ConsentRecord>> {
        Ok(self.consents.clone())
    }
    fn add_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()> {
        self.consents.push(record.clone());
        Ok(())
    }
    fn profile(&self) -> EdgeResult<Option<VisitorProfile>> {
        Ok(self.profile.clone())
    }
    fn save_profile(&mut self, profile: &VisitorProfile) -> EdgeResult<()> {
        self.profile = Some(profile.clone());
        Ok(())
    }
    fn add_page(&mut self, page: &PageView, keep: usize) -> EdgeResult<()> {
        self.pages.push(page.clone());
        let over = self.pages.len().saturating_sub(keep);
        self.pages.drain(..over);
        Ok(())
    }
    fn pages(&self, limit: usize) -> EdgeResult<Vec<PageView>> {
        Ok(self.pages.iter().rev().take(limit).cloned().collect())
    }
    fn oldest_page(&self) -> EdgeResult<Option<i64>> {
        Ok(self.pages.iter().map(|p| p.at).min())
    }
    fn delete_pages(&mut self, before: Option<i64>) -> EdgeResult<()> {
        self.pages.retain(|p| before.is_some_and(|at| p.at >= at));
        Ok(())
    }
    fn contact_edits(&self) -> EdgeResult<Vec<ContactEdit>> {
        Ok(self.edits.clone())
    }
    fn add_contact_edit(&mut self, edit: &ContactEdit, keep: usize) -> EdgeResult<()> {
        self.edits.push(edit.clone());
        let extra = self.edits.len().saturating_sub(keep);
        self.edits.drain(..extra);
        Ok(())
    }
    fn add_conversation(&mut self, id: &ConversationId, at: i64) -> EdgeResult<()> {
        if !self.conversations.iter().any(|(c, _)| c == id) {
            self.conversations.push((id.clone(), at));
        }
        Ok(())
    }
    fn forget_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.conversations.retain(|(c, _)| c != id);
        Ok(())
    }
    fn conversations(&self) -> EdgeResult<Vec<ConversationId>> {
        let mut list = self.conversations.clone();
        list.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        Ok(list.into_iter().map(|(id, _)| id).collect())
    }
    fn counts(&self) -> EdgeResult<Counts> {
        let n = |len: usize| len as u32;
        Ok(Counts {
            pages: n(self.pages.len()),
            consents: n(self.consents.len()),
            conversations: n(self.conversations.len()),
        })
    }
}

pub(super) const POLICY: u32 = 2;

/// A decision at `at` for `POLICY`, valid for a long while.
pub(super) fn consent(at: i64, analytics: bool) -> ConsentRecord {
    ConsentRecord {
        at,
        expires_at: at + 1_000_000,
        visitor_hash: "hash".into(),
        decision: Decision {
            policy_version: POLICY,
            choices: Choices { analytics, ..Choices::none() },
            method: Method::Custom,
            lang: Lang::En,
            gpc: false,
        },
    }
}

pub(super) fn browser(retention_ms: Option<i64>) -> Capture {
    Capture {
        context: None,
        device: Some(DeviceInfo { browser: "Firefox 140".into(), os: "Linux".into(), category: "pc".into() }),
        location: Some(Location { country: Some("DE".into()), region: None, city: None }),
        ip: Some("203.0.113.0".into()),
        policy_version: POLICY,
        retention_ms,
    }
}

pub(super) fn visit(at: i64, retention_ms: Option<i64>) -> PageVisit {
    let page =
        PageView { at, url: format!("https://shop.example/{at}"), title: "Shop".into(), referrer: String::new() };
    PageVisit { page, capture: browser(retention_ms) }
}

pub(super) fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

pub(super) fn conv(s: &str) -> ConversationId {
    ConversationId::parse(&format!("cv_{s}_0000")).unwrap()
}

pub(super) fn change(by: &str, name: Option<&str>, mail: Option<&str>) -> ContactChange {
    ContactChange { by: by.into(), name: name.map(Into::into), email: mail.map(email) }
}

/// A visitor who allowed analytics and left something in every table, with a retention alarm.
pub(super) fn full_visitor() -> Memory {
    let mut m = Memory::default();
    add_consent(&mut m, &consent(10, true)).unwrap();
    let (_, effects) = page_view(&mut m, visit(20, Some(1_000)), 20).unwrap();
    m.apply(effects);
    let effects = contact(&mut m, change("visitor", Some("Ada"), Some("ada@example.com")), 30).unwrap();
    m.apply(effects);
    add_conversation(&mut m, &conv("a"), 40).unwrap();
    let attributes = BTreeMap::from([("plan".to_owned(), serde_json::json!("pro"))]);
    let effects = set_attributes(&mut m, &attributes, 50).unwrap();
    m.apply(effects);
    m
}

fn unauthorized<T: std::fmt::Debug>(result: EdgeResult<T>) -> bool {
    matches!(result, Err(EdgeError::Unauthorized))
}

#[test]
fn after_erasure_nothing_remains_and_every_request_is_refused() {
    let mut m = full_visitor();
    assert!(m.alarm.is_some() && m.retention.is_some() && !m.pages.is_empty());
    let effects = erase(99);
    assert_eq!(effects, vec![Effect::DeleteAlarm, Effect::DeleteAll, Effect::Tombstone(99)]);
    m.apply(effects);
    assert_eq!(m, Memory { erased: Some(99), directory: m.directory.clone(), ..Memory::default() });
    assert!(unauthorized(subject(&m, None, 100)));
    assert!(unauthorized(profile(&m, 100)));
    assert!(unauthorized(conversations(&m)));
    assert!(unauthorized(restrict(&mut m, true, 100)));
    assert!(unauthorized(object(&mut m, true, 100)));
}

#[test]
fn a_blocked_visitor_gets_no_chat_but_keeps_their_rights_until_unblocked() {
    let mut m = full_visitor();
    assert!(admit(&m).is_ok());
    let seen = m.profile.as_ref().unwrap().last_seen;
    block(&mut m, true, 500).unwrap();
    assert!(matches!(admit(&m), Err(EdgeError::Blocked)));
    assert!(matches!(touch(&mut m, browser(None), 600), Err(EdgeError::Blocked)), "no new chat session");
    assert_eq!(m.profile.as_ref().unwrap().last_seen, seen, "blocking is not a visit");
    assert!(profile(&m, 700).unwrap().blocked, "agents see it");
    // Their privacy requests still work.
    assert!(subject(&m, None, 700).unwrap().conversations > 0);
    block(&mut m, false, 800).unwrap();
    assert!(admit(&m).is_ok());
    // Nobody blocks an erased visitor back into existence.
    m.apply(erase(900));
    assert!(unauthorized(block(&mut m, true, 1_000)));
    assert!(unauthorized(admit(&m)));
}

#[test]
fn contact_edits_keep_only_the_newest() {
    let mut m = Memory::default();
    for i in 0..MAX_CONTACT_EDITS as i64 + 30 {
        let name = format!("Name {i}");
        let effects = contact(&mut m, change("visitor", Some(&name), None), i).unwrap();
        m.apply(effects);
    }
    let edits = profile(&m, 1_000).unwrap().contact_edits;
    assert_eq!(edits.len(), MAX_CONTACT_EDITS);
    assert_eq!(edits.last().unwrap().name.as_deref(), Some(&*format!("Name {}", MAX_CONTACT_EDITS + 29)));
}

#[test]
fn erasing_twice_is_fine_and_keeps_only_the_tombstone() {
    let mut m = full_visitor();
    m.apply(erase(99));
    m.apply(erase(120));
    assert_eq!(m, Memory { erased: Some(120), directory: m.directory.clone(), ..Memory::default() });
}

#[test]
fn late_calls_after_an_erasure_store_nothing_and_tell_no_one() {
    let mut m = full_visitor();
    m.apply(erase(99));
    let before = m.clone();
    assert!(unauthorized(contact(&mut m, change("visitor", Some("Ada"), Some("ada@example.com")), 100)));
    assert!(unauthorized(page_view(&mut m, visit(100, Some(1_000)), 100)));
    assert!(unauthorized(add_conversation(&mut m, &conv("b"), 100)));
    assert!(unauthorized(forget_conversation(&mut m, &conv("a"))));
    assert!(unauthorized(retention(&mut m, Some(5_000), 100)));
    assert!(unauthorized(touch(&mut m, browser(None), 100)));
    assert!(unauthorized(add_consent(&mut m, &consent(100, true))));
    let claim = IdentityClaim { identity: Identity { id: "u1".into(), verified: true }, name: None, email: None };
    assert!(unauthorized(identify(&mut m, claim, 100)));
    assert!(unauthorized(set_attributes(&mut m, &BTreeMap::new(), 100)));
    assert_eq!(m, before);
}

#[test]
fn an_erasure_while_the_directory_call_is_out_leaves_nothing() {
    let mut m = Memory::default();
    let effects = contact(&mut m, change("visitor", None, Some("ada@example.com")), 10).unwrap();
    // The local writes are done before the directory is told.
    assert_eq!(m.edits.len(), 1);
    assert_eq!(effects, vec![Effect::TellDirectory(Some(email("ada@example.com")))]);
    m.apply(erase(11));
    m.apply(effects);
    assert_eq!(m.profile, None);
    assert!(m.edits.is_empty() && m.erased == Some(11));
}

#[test]
fn an_alarm_after_an_erasure_deletes_and_schedules_nothing() {
    // An alarm already running when the visitor was erased: the retention it read is moot.
    let mut m = Memory { erased: Some(5), retention: Some(10), ..Memory::default() };
    assert_eq!(m.expire(1_000).unwrap(), vec![]);
    let mut erased = full_visitor();
    erased.apply(erase(99));
    assert_eq!(erased.expire(5_000).unwrap(), vec![]);
}

#[test]
fn retention_stores_the_period_and_wakes_when_the_oldest_page_is_due() {
    let mut m = Memory::default();
    add_consent(&mut m, &consent(0, true)).unwrap();
    for at in [1_000, 2_000] {
        let (kept, effects) = page_view(&mut m, visit(at, None), at).unwrap();
        assert!(kept);
        assert_eq!(effects, vec![Effect::KeepRetention(None)]);
    }
    let effects = retention(&mut m, Some(10_000), 3_000).unwrap();
    assert_eq!(effects, vec![Effect::KeepRetention(Some(10_000)), Effect::SetAlarm(11_000)]);
    // Never in the past: the oldest page is already due.
    let effects = retention(&mut m, Some(100), 5_000).unwrap();
    assert_eq!(effects, vec![Effect::KeepRetention(Some(100)), Effect::SetAlarm(5_001)]);
    m.apply(effects);
    let effects = retention(&mut m, None, 6_000).unwrap();
    assert_eq!(effects, vec![Effect::KeepRetention(None)]);
    m.apply(effects);
    assert_eq!(m.retention, None);
    // No page views: nothing to wake for.
    assert_eq!(retention(&mut Memory::default(), Some(10), 0).unwrap(), vec![Effect::KeepRetention(Some(10))]);
}

#[test]
fn the_alarm_deletes_older_pages_and_waits_for_the_next() {
    let mut m = Memory::default();
    add_consent(&mut m, &consent(0, true)).unwrap();
    for at in [1_000, 2_000, 6_000] {
        let (_, effects) = page_view(&mut m, visit(at, Some(4_000)), at).unwrap();
        m.apply(effects);
    }
    // The oldest page is due at 5_000, which had passed when the last one came.
    assert_eq!(m.alarm, Some(6_001));
    let effects = m.expire(6_001).unwrap();
    assert_eq!(m.pages.iter().map(|p| p.at).collect::<Vec<_>>(), vec![6_000]);
    assert_eq!(effects, vec![Effect::SetAlarm(10_000)]);
    m.apply(effects);
    assert_eq!(m.expire(10_001).unwrap(), vec![]);
    assert!(m.pages.is_empty());
    // No period kept (the workspace removed it): the alarm deletes nothing.
    add_consent(&mut m, &consent(20_000, true)).unwrap();
    page_view(&mut m, visit(20_000, None), 20_000).unwrap();
    m.retention = None;
    assert_eq!(m.expire(1_000_000).unwrap(), vec![]);
    assert_eq!(m.pages.len(), 1);
}

#[test]
fn a_failed_alarm_tries_again_in_a_minute() {
    assert_eq!(alarm_failed(1_000), vec![Effect::SetAlarm(61_000)]);
}

#[test]
fn the_wire_format_is_tagged_by_operation() {
    let request: crate::visitor::VisitorRequest = crate::visitor::Retention { retention_ms: Some(5) }.into();
    assert_eq!(serde_json::to_string(&request).unwrap(), r#"{"retention":{"retention_ms":5}}"#);
    let erase = crate::visitor::VisitorRequest::decode(br#"{"erase":null}"#).unwrap();
    assert!(matches!(erase, crate::visitor::VisitorRequest::Erase(_)));
}
