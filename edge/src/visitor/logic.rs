//! What a visitor object decides: whether anything may be kept (erasure, consent, restriction,
//! objection), how long page activity lives, and when the workspace's directory must hear of the
//! visitor. Pure over [`VisitorStore`], with the time passed in; what needs the runtime (the
//! alarm, the key-value tombstone, deleting all storage, calling the workspace) comes back as
//! [`Effect`]s, carried out in order by the glue after the local writes.

use super::{Capture, ContactChange, IdentityClaim, PageVisit};
use crate::capture::{analytics_allowed, merge_attributes};
use crate::error::{EdgeError, EdgeResult};
use shared::consent::ConsentRecord;
use shared::privacy::DataSubject;
use shared::visitor::{ContactEdit, PageView, VisitorProfile};
use shared::{ConversationId, Email, VisitorId};
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

/// Most page views kept per visitor (oldest go first).
pub const MAX_PAGES: usize = 500;
/// Most contact edits kept per visitor (oldest go first): who changed the details lately is
/// what agents need, and a script correcting a name in a loop must not grow the profile forever.
pub const MAX_CONTACT_EDITS: usize = 100;

/// How long a failed retention pass waits before it tries again, rather than waiting for the
/// visitor's next page view.
pub const ALARM_RETRY_MS: i64 = 60_000;

/// The visitor's storage: SQLite tables in the object (writes are synchronous there), plus the
/// erasure tombstone read when the request starts (key-value entries are written through
/// [`Effect`]s because key-value writes are asynchronous; the retention period is read by the
/// alarm alone and handed to [`expire`]).
pub trait VisitorStore {
    /// When the visitor was erased, if they were.
    fn erased(&self) -> Option<i64>;
    /// The consent history, oldest first.
    fn consents(&self) -> EdgeResult<Vec<ConsentRecord>>;
    fn add_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()>;
    /// The profile's own fields (pages, consents, conversations and edits live apart), if saved.
    fn profile(&self) -> EdgeResult<Option<VisitorProfile>>;
    fn save_profile(&mut self, profile: &VisitorProfile) -> EdgeResult<()>;
    /// Adds a page view, then keeps only the `keep` most recently added.
    fn add_page(&mut self, page: &PageView, keep: usize) -> EdgeResult<()>;
    /// The `limit` most recently added page views, newest first.
    fn pages(&self, limit: usize) -> EdgeResult<Vec<PageView>>;
    /// When the oldest page view kept happened.
    fn oldest_page(&self) -> EdgeResult<Option<i64>>;
    /// Deletes the page views before `at` (all of them with `None`).
    fn delete_pages(&mut self, before: Option<i64>) -> EdgeResult<()>;
    /// Contact edits, oldest first.
    fn contact_edits(&self) -> EdgeResult<Vec<ContactEdit>>;
    /// Adds a contact edit, then keeps only the `keep` most recent.
    fn add_contact_edit(&mut self, edit: &ContactEdit, keep: usize) -> EdgeResult<()>;
    /// Adds a conversation started at `at`, unless it is listed already.
    fn add_conversation(&mut self, id: &ConversationId, at: i64) -> EdgeResult<()>;
    fn forget_conversation(&mut self, id: &ConversationId) -> EdgeResult<()>;
    /// The conversations, most recently started first.
    fn conversations(&self) -> EdgeResult<Vec<ConversationId>>;
    /// How many page views, consent records and conversations are kept.
    fn counts(&self) -> EdgeResult<Counts>;
}

/// Row counts for a data-subject request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pages: u32,
    pub consents: u32,
    pub conversations: u32,
}

/// What the glue does after a decision, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Remember the retention period beside the tables (`None`: forget it).
    KeepRetention(Option<i64>),
    /// Wake at this instant (ms since the epoch) to delete expired page activity.
    SetAlarm(i64),
    /// No more wake-ups.
    DeleteAlarm,
    /// Delete every table and key, then recreate the empty schema.
    DeleteAll,
    /// Leave only this: the time of erasure, so the visitor's token is refused from now on.
    Tombstone(i64),
    /// Tell the workspace's directory this visitor exists (closing the workspace then deletes
    /// them too), with their email if one was given (find by email for a data-subject request).
    TellDirectory(Option<Email>),
}

/// An erased visitor's token is refused everywhere it is used.
pub fn refuse_erased(store: &impl VisitorStore) -> EdgeResult<()> {
    match store.erased() {
        Some(_) => Err(EdgeError::Unauthorized),
        None => Ok(()),
    }
}

/// Deletes everything, leaving only the tombstone. Allowed on an erased visitor too.
pub fn erase(now: i64) -> Vec<Effect> {
    vec![Effect::DeleteAlarm, Effect::DeleteAll, Effect::Tombstone(now)]
}

/// The saved profile, or a new one first seen now.
fn load(store: &impl VisitorStore, now: i64) -> EdgeResult<VisitorProfile> {
    Ok(store.profile()?.unwrap_or_else(|| VisitorProfile { first_seen: now, ..VisitorProfile::default() }))
}

/// Saves the profile as last seen now: every request that saves it counts as a visit.
fn save(store: &mut impl VisitorStore, mut profile: VisitorProfile, now: i64) -> EdgeResult<()> {
    profile.last_seen = now;
    store.save_profile(&profile)
}

/// Whether anything is held about this visitor at all.
fn held(store: &impl VisitorStore) -> EdgeResult<bool> {
    Ok(store.profile()?.is_some() || store.counts()?.consents > 0)
}

pub fn add_consent(store: &mut impl VisitorStore, record: &ConsentRecord) -> EdgeResult<()> {
    refuse_erased(store)?;
    store.add_consent(record)
}

/// Applies what the browser said, if the latest decision allows analytics for the current
/// policy and the visitor has neither objected nor restricted processing; returns whether it did.
fn capture(store: &impl VisitorStore, profile: &mut VisitorProfile, capture: Capture, now: i64) -> EdgeResult<bool> {
    if profile.restricted || profile.objected || !analytics_allowed(&store.consents()?, capture.policy_version, now) {
        return Ok(false);
    }
    profile.context = capture.context.or(profile.context.take());
    profile.device = capture.device.or(profile.device.take());
    profile.location = capture.location.or(profile.location.take());
    profile.ip = capture.ip;
    Ok(true)
}

/// A visitor session: the browser is noted only with consent, the visit (last seen) either way.
pub fn touch(store: &mut impl VisitorStore, capture_now: Capture, now: i64) -> EdgeResult<()> {
    admit(store)?;
    let mut profile = load(store, now)?;
    capture(store, &mut profile, capture_now, now)?;
    save(store, profile, now)
}

/// A page view, kept (with the browser) only with consent; the oldest go past [`MAX_PAGES`].
pub fn page_view(store: &mut impl VisitorStore, visit: PageVisit, now: i64) -> EdgeResult<(bool, Vec<Effect>)> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    let retention = visit.capture.retention_ms;
    if !capture(store, &mut profile, visit.capture, now)? {
        return Ok((false, vec![]));
    }
    store.add_page(&visit.page, MAX_PAGES)?;
    save(store, profile, now)?;
    Ok((true, keep_for(store, retention, now)?))
}

/// The workspace's retention period: remembered, with an alarm for when the oldest page view
/// passes it. Each visitor object keeps its own: no global sweep.
pub fn retention(store: &mut impl VisitorStore, retention_ms: Option<i64>, now: i64) -> EdgeResult<Vec<Effect>> {
    refuse_erased(store)?;
    keep_for(store, retention_ms, now)
}

fn keep_for(store: &impl VisitorStore, retention_ms: Option<i64>, now: i64) -> EdgeResult<Vec<Effect>> {
    let mut effects = vec![Effect::KeepRetention(retention_ms)];
    if let Some(ms) = retention_ms {
        effects.extend(schedule_expiry(store, ms, now)?);
    }
    Ok(effects)
}

/// The alarm for when the oldest page view passes the retention period; never in the past.
fn schedule_expiry(store: &impl VisitorStore, retention_ms: i64, now: i64) -> EdgeResult<Option<Effect>> {
    Ok(store.oldest_page()?.map(|at| Effect::SetAlarm((at + retention_ms).max(now + 1))))
}

/// The alarm: deletes page activity older than the kept retention period (`retention_ms`, read
/// only here, not on every request), then waits for the next. Nothing to do for an erased visitor
/// (an alarm already under way when they were erased).
pub fn expire(store: &mut impl VisitorStore, retention_ms: Option<i64>, now: i64) -> EdgeResult<Vec<Effect>> {
    let Some(retention_ms) = retention_ms.filter(|_| store.erased().is_none()) else { return Ok(vec![]) };
    store.delete_pages(Some(now - retention_ms))?;
    Ok(schedule_expiry(store, retention_ms, now)?.into_iter().collect())
}

/// A failed retention pass tries again in a minute.
pub fn alarm_failed(now: i64) -> Vec<Effect> {
    vec![Effect::SetAlarm(now + ALARM_RETRY_MS)]
}

/// Local writes first, the workspace's directory last (and only when an email was given): an
/// erasure that runs while that call is out deletes what was written here, and the workspace
/// ignores the erased visitor.
pub fn contact(store: &mut impl VisitorStore, change: ContactChange, now: i64) -> EdgeResult<Vec<Effect>> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    if change.name.is_some() {
        profile.name = change.name.clone();
    }
    if change.email.is_some() {
        profile.email = change.email.clone();
    }
    let edit = ContactEdit { at: now, by: change.by, name: change.name, email: change.email.clone() };
    store.add_contact_edit(&edit, MAX_CONTACT_EDITS)?;
    save(store, profile, now)?;
    Ok(change.email.map(|email| Effect::TellDirectory(Some(email))).into_iter().collect())
}

/// `Provixchat.identify`. Restricted: the token still works, but nothing new is kept (`false`:
/// the router then shows agents nothing new either). A new email goes to the directory.
pub fn identify(store: &mut impl VisitorStore, claim: IdentityClaim, now: i64) -> EdgeResult<(bool, Vec<Effect>)> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    if profile.restricted {
        return Ok((false, vec![]));
    }
    let new_email = claim.email.clone().filter(|e| profile.email.as_ref() != Some(e));
    profile.identity = Some(claim.identity);
    profile.name = claim.name.or(profile.name);
    profile.email = claim.email.or(profile.email);
    save(store, profile, now)?;
    Ok((true, new_email.map(|email| Effect::TellDirectory(Some(email))).into_iter().collect()))
}

/// Custom attributes, merged. Nothing new while restricted; the first data ever held about the
/// visitor makes them known to the workspace, so closing it deletes this profile too.
pub fn set_attributes(
    store: &mut impl VisitorStore,
    attributes: &BTreeMap<String, serde_json::Value>,
    now: i64,
) -> EdgeResult<Vec<Effect>> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    if profile.restricted {
        return Ok(vec![]);
    }
    let first = !held(store)?;
    profile.attributes = merge_attributes(&profile.attributes, attributes)?;
    save(store, profile, now)?;
    Ok(if first { vec![Effect::TellDirectory(None)] } else { vec![] })
}

/// A conversation the visitor started (listed once, at its first start); counts as a visit.
pub fn add_conversation(store: &mut impl VisitorStore, id: &ConversationId, now: i64) -> EdgeResult<()> {
    refuse_erased(store)?;
    store.add_conversation(id, now)?;
    let profile = load(store, now)?;
    save(store, profile, now)
}

pub fn forget_conversation(store: &mut impl VisitorStore, id: &ConversationId) -> EdgeResult<()> {
    refuse_erased(store)?;
    store.forget_conversation(id)
}

pub fn conversations(store: &impl VisitorStore) -> EdgeResult<Vec<ConversationId>> {
    refuse_erased(store)?;
    store.conversations()
}

/// Everything held, with the page views newest first and the consents and edits oldest first.
pub fn profile(store: &impl VisitorStore, now: i64) -> EdgeResult<VisitorProfile> {
    refuse_erased(store)?;
    Ok(VisitorProfile {
        pages: store.pages(MAX_PAGES)?,
        consents: store.consents()?,
        contact_edits: store.contact_edits()?,
        ..load(store, now)?
    })
}

/// What a data-subject request shows of `visitor_id`: nothing (the default) when nothing is held.
pub fn subject(store: &impl VisitorStore, visitor_id: Option<VisitorId>, now: i64) -> EdgeResult<DataSubject> {
    refuse_erased(store)?;
    if !held(store)? {
        return Ok(DataSubject::default());
    }
    let counts = store.counts()?;
    let p = load(store, now)?;
    Ok(DataSubject {
        visitor_id,
        name: p.name,
        email: p.email,
        user_id: p.identity.filter(|i| i.verified).map(|i| i.id),
        first_seen: p.first_seen,
        last_seen: p.last_seen,
        conversations: counts.conversations,
        pages: counts.pages,
        consents: counts.consents,
        restricted: p.restricted,
        objected: p.objected,
    })
}

/// Art. 18: restricts (or resumes) processing.
pub fn restrict(store: &mut impl VisitorStore, on: bool, now: i64) -> EdgeResult<()> {
    refuse_erased(store)?;
    let profile = load(store, now)?;
    save(store, VisitorProfile { restricted: on, ..profile }, now)
}

/// Whether the visitor may chat: not once erased (their token is useless) nor while blocked.
pub fn admit(store: &impl VisitorStore) -> EdgeResult<()> {
    refuse_erased(store)?;
    match store.profile()? {
        Some(p) if p.blocked => Err(EdgeError::Blocked),
        _ => Ok(()),
    }
}

/// An agent blocks (or unblocks) the visitor: the chat is refused to them from now on. Their
/// data-subject requests still work.
pub fn block(store: &mut impl VisitorStore, on: bool, now: i64) -> EdgeResult<()> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    profile.blocked = on;
    // Not a visit: the last-seen time stays the visitor's own.
    store.save_profile(&profile)
}

/// Art. 21: objecting deletes what analytics captured and stops capturing it.
pub fn object(store: &mut impl VisitorStore, on: bool, now: i64) -> EdgeResult<()> {
    refuse_erased(store)?;
    let mut profile = load(store, now)?;
    profile.objected = on;
    if on {
        store.delete_pages(None)?;
        (profile.device, profile.location, profile.context, profile.ip) = (None, None, None, None);
    }
    save(store, profile, now)
}
