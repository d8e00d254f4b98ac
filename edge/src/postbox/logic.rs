//! What a postbox decides: whether a mail may go to its address (the per-address limits), when
//! each pending mail is tried again, and what the address's log keeps. Pure over
//! [`PostboxStore`]; the glue sends through the `send_email` binding and reports each outcome.

use super::{MailKind, SentMail, Status};
use crate::error::EdgeResult;
use shared::SiteId;

/// How long the log of what was sent to an address is kept.
pub const LOG_KEPT_MS: i64 = 90 * 24 * 3600 * 1000;
/// After this many failed tries a mail is given up (and logged as failed).
pub const MAX_ATTEMPTS: u32 = 6;
/// The window of the per-address limits.
pub const LIMIT_WINDOW_MS: i64 = 3600 * 1000;

/// Waits before each retry: a minute, then longer, about a day in all.
const BACKOFF_MS: [i64; 5] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];

/// A mail waiting to be sent (or sent again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub kind: MailKind,
    pub site: Option<SiteId>,
    pub from: String,
    pub subject: String,
    pub raw: String,
    pub queued_at: i64,
    pub attempts: u32,
    pub due_at: i64,
}

/// Everything a postbox keeps.
pub trait PostboxStore {
    /// Stores a new pending mail (its `id` is ignored) and answers its id.
    fn insert(&mut self, mail: &Pending) -> EdgeResult<i64>;
    /// Pending mails due at `now`, oldest first.
    fn due(&self, now: i64) -> EdgeResult<Vec<Pending>>;
    /// When the next pending mail is due.
    fn next_due(&self) -> EdgeResult<Option<i64>>;
    fn reschedule(&mut self, id: i64, attempts: u32, due_at: i64) -> EdgeResult<()>;
    fn remove(&mut self, id: i64) -> EdgeResult<()>;
    /// Forgets the pending mail and the log of `site` (all for `None`) (erasure); answers how
    /// many mails were pending.
    fn clear(&mut self, site: Option<&SiteId>) -> EdgeResult<usize>;
    fn append_log(&mut self, entry: &SentMail) -> EdgeResult<()>;
    /// The log, oldest first.
    fn log(&self) -> EdgeResult<Vec<SentMail>>;
    fn prune_log(&mut self, before: i64) -> EdgeResult<()>;
    /// Mails of `kind` queued since `since` (pending or logged), for the per-address limits.
    fn queued_since(&self, kind: MailKind, since: i64) -> EdgeResult<u32>;
}

/// One request's view of a postbox.
pub struct Postbox<'a, S: PostboxStore> {
    pub store: &'a mut S,
    pub now: i64,
}

/// What the glue does next: wake the object at `at` to send what is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeAt(pub i64);

impl<S: PostboxStore> Postbox<'_, S> {
    /// Queues a mail, due at once, unless the address had its share of this kind within the
    /// hour: then it is logged as refused and nothing is queued (`false`). A flood of reset
    /// requests for someone's address sends them a handful of mails, not a flood.
    pub fn queue(&mut self, mut mail: Pending) -> EdgeResult<(bool, Option<WakeAt>)> {
        let recent = self.store.queued_since(mail.kind, self.now - LIMIT_WINDOW_MS)?;
        if recent >= mail.kind.hourly_limit() {
            self.record(&mail, Status::Refused)?;
            return Ok((false, None));
        }
        mail.queued_at = self.now;
        mail.due_at = self.now;
        mail.attempts = 0;
        self.store.insert(&mail)?;
        Ok((true, Some(WakeAt(self.now))))
    }

    /// What to send now.
    pub fn due(&self) -> EdgeResult<Vec<Pending>> {
        self.store.due(self.now)
    }

    /// A mail went out.
    pub fn delivered(&mut self, mail: &Pending) -> EdgeResult<()> {
        self.store.remove(mail.id)?;
        self.record(mail, Status::Sent)
    }

    /// A try failed: it is tried again later, or given up after [`MAX_ATTEMPTS`].
    pub fn failed(&mut self, mail: &Pending) -> EdgeResult<()> {
        let attempts = mail.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            self.store.remove(mail.id)?;
            return self.record(mail, Status::Failed);
        }
        let wait = BACKOFF_MS[(attempts as usize - 1).min(BACKOFF_MS.len() - 1)];
        self.store.reschedule(mail.id, attempts, self.now + wait)
    }

    /// After a round of sending: prunes the log and says when to wake next, if anything waits.
    pub fn next_wake(&mut self) -> EdgeResult<Option<WakeAt>> {
        self.store.prune_log(self.now - LOG_KEPT_MS)?;
        Ok(self.store.next_due()?.map(|at| WakeAt(at.max(self.now))))
    }

    /// Erasure: the site's (or every) pending mail to this address is dropped and its log
    /// forgotten; other sites' mail to the same person stays theirs.
    pub fn erase(&mut self, site: Option<&SiteId>) -> EdgeResult<usize> {
        self.store.clear(site)
    }

    /// What was sent to this address (and refused or given up), oldest first.
    pub fn sent(&self) -> EdgeResult<Vec<SentMail>> {
        self.store.log()
    }

    fn record(&mut self, mail: &Pending, status: Status) -> EdgeResult<()> {
        self.store.append_log(&SentMail {
            at: self.now,
            kind: mail.kind,
            site: mail.site.clone(),
            subject: mail.subject.clone(),
            status,
        })
    }
}

#[cfg(test)]
mod tests;
