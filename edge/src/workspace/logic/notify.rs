//! Emailing agents about visitors who wait for an answer. The workspace keeps which
//! conversations wait (their last message is the visitor's and they are not resolved), learned
//! from the feeds' batches it already receives, and each member's preference (from their account:
//! `NotifyWhen`, and whether their address is confirmed). Its alarm sends each member one digest
//! of what waits past their delay and is new since their last digest, at most one every
//! [`DIGEST_GAP_MS`]: never one mail per message.

use super::{Call, Workspace, WorkspaceStore};
use crate::error::EdgeResult;
use crate::workspace::MemberPrefs;
use shared::api::NotifyWhen;
use shared::{Author, ConversationId, ConversationStatus, ConversationSummary, Email};

/// Least time between two digests to one member.
pub const DIGEST_GAP_MS: i64 = 10 * 60_000;
/// Most conversations one digest lists (the rest are counted).
pub const DIGEST_ITEMS: usize = 10;
/// Most waiting conversations one alarm looks at, the longest waiting first.
const WAITING_SCANNED: usize = 200;

/// A conversation whose visitor waits for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: ConversationId,
    pub visitor_name: String,
    pub preview: String,
    /// Their first message since the team last answered.
    pub since: i64,
    /// Their latest message.
    pub last_at: i64,
}

/// A member's preference as the workspace keeps it, with when they were last mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberNotify {
    pub email: Email,
    pub prefs: MemberPrefs,
    pub last_digest_at: i64,
}

impl MemberNotify {
    /// Whether `w` has a message this member was not mailed about (`last_digest_at` 0: never
    /// mailed).
    fn new_to(&self, w: &Waiting) -> bool {
        self.last_digest_at == 0 || w.last_at > self.last_digest_at
    }
}

/// One member's digest: what to tell them, carried out by the glue as a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub to: Email,
    pub workspace: String,
    pub items: Vec<Waiting>,
    /// How many more wait beyond `items`.
    pub more: usize,
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// A member's preferences, from their account (ignored for someone who is not a member:
    /// a late call after they left).
    pub fn member_prefs(&mut self, email: &Email, prefs: MemberPrefs) -> EdgeResult<()> {
        if self.store.member(email)?.is_none() {
            return Ok(());
        }
        self.store.put_notify(email, prefs)
    }

    /// After a conversation's newest summary is stored: whether its visitor now waits. Answers
    /// whether it just started waiting (a digest may then be due before the alarm comes).
    pub(super) fn track_waiting(&mut self, s: &ConversationSummary) -> EdgeResult<bool> {
        let waits = s.last_seq > 0 && s.last_author == Author::Visitor && s.status != ConversationStatus::Resolved;
        if !waits {
            self.store.clear_waiting(&s.id)?;
            return Ok(false);
        }
        let waiting = Waiting {
            id: s.id.clone(),
            visitor_name: s.visitor_name.clone(),
            preview: s.last_message.clone(),
            since: s.last_at,
            last_at: s.last_at,
        };
        self.store.note_waiting(&waiting)
    }

    /// When the next digest is due, if any member has one coming.
    pub(super) fn next_digest_due(&self) -> EdgeResult<Option<i64>> {
        let waiting = self.store.waiting(WAITING_SCANNED)?;
        if waiting.is_empty() {
            return Ok(None);
        }
        let due = self.store.notify_members()?.iter().filter_map(|m| self.due_for(m, &waiting)).min();
        Ok(due)
    }

    /// The digests due now. `available`: whether an agent of the workspace is available (those
    /// who chose [`NotifyWhen::Away`] hear nothing then). Once a digest is handed over, its
    /// member is marked ([`Self::digested`]), so the next one carries only what is new.
    pub(super) fn due_digests(&mut self, available: bool) -> EdgeResult<Vec<Digest>> {
        let waiting = self.store.waiting(WAITING_SCANNED)?;
        if waiting.is_empty() {
            return Ok(vec![]);
        }
        let workspace = self.config()?.name;
        let mut digests = Vec::new();
        for member in self.store.notify_members()? {
            if self.due_for(&member, &waiting).is_none_or(|at| at > self.now) {
                continue;
            }
            if available && member.prefs.notify == NotifyWhen::Away {
                // Someone can answer: what waits now is not mailed to those who asked to hear
                // only when nobody can (a later message is).
                self.store.set_digested(&member.email, self.now)?;
                continue;
            }
            let Some(delay) = member.prefs.notify.delay_ms().map(|d| self.minutes(d)) else { continue };
            let mut items: Vec<Waiting> =
                waiting.iter().filter(|w| w.since + delay <= self.now && member.new_to(w)).cloned().collect();
            items.sort_by_key(|w| std::cmp::Reverse(w.last_at));
            let more = items.len().saturating_sub(DIGEST_ITEMS);
            items.truncate(DIGEST_ITEMS);
            digests.push(Digest { to: member.email, workspace: workspace.clone(), items, more });
        }
        Ok(digests)
    }

    /// The alarm's part: mails the digests due. A failure to queue one is the alarm's failure
    /// (it tries again; the member is marked only once their mail was handed over).
    pub(super) async fn send_digests(
        &mut self,
        available: bool,
        carry: &mut impl AsyncFnMut(&Call) -> EdgeResult<()>,
    ) -> EdgeResult<()> {
        for digest in self.due_digests(available)? {
            let to = digest.to.clone();
            carry(&Call::Digest(digest)).await?;
            self.digested(&to)?;
        }
        Ok(())
    }

    /// A span of real minutes in this workspace's time: as long as a day is 1,440 minutes, so the
    /// end-to-end tests' short days (`RETENTION_DAY_MS`) make short delays too.
    fn minutes(&self, ms: i64) -> i64 {
        ms * self.day_ms / 86_400_000
    }

    /// When `member`'s next digest is due given what waits: the earliest moment a waiting
    /// conversation new to them has waited their delay, and no sooner than [`DIGEST_GAP_MS`]
    /// after their last digest. `None` when they want no mail, their address is not confirmed,
    /// or nothing new waits.
    fn due_for(&self, member: &MemberNotify, waiting: &[Waiting]) -> Option<i64> {
        if !member.prefs.verified {
            return None;
        }
        let delay = self.minutes(member.prefs.notify.delay_ms()?);
        let first = waiting.iter().filter(|w| member.new_to(w)).map(|w| w.since + delay).min()?;
        // 0: never mailed, no gap to wait.
        let gap_over = if member.last_digest_at > 0 { member.last_digest_at + self.minutes(DIGEST_GAP_MS) } else { 0 };
        Some(first.max(gap_over))
    }

    /// `to`'s digest was handed over: the next one waits the gap and carries only what is new.
    pub(super) fn digested(&mut self, to: &Email) -> EdgeResult<()> {
        self.store.set_digested(to, self.now)
    }
}

#[cfg(test)]
mod tests;
